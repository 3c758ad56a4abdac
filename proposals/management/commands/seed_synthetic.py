"""Synthetic proposals for benchmarks: sentences sampled from the real articles, random people and themes.

Never run against a production database: every record it writes is a draft-free *published* synthetic
record marked with the session "合成数据" so that it can be deleted with --delete.
"""

import random
import re
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from proposals import search
from proposals.models import (
    Article,
    Authorship,
    Body,
    Delegate,
    Membership,
    Proposal,
    ProposalKind,
    Region,
    ReviewStatus,
    Theme,
)

SESSION = "合成数据"


class Command(BaseCommand):
    help = "Generate N synthetic published proposals (for benchmarks only). Needs the corpus loaded first."

    def add_arguments(self, parser):
        parser.add_argument("--proposals", type=int, default=10000)
        parser.add_argument("--delegates", type=int, default=3000)
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--delete", action="store_true", help="delete the synthetic records instead")
        parser.add_argument("--dry-run", action="store_true")

    def handle(
        self,
        *args,
        proposals: int,
        delegates: int,
        batch_size: int,
        seed: int,
        delete: bool,
        dry_run: bool,
        **o,
    ):
        if delete:
            with transaction.atomic():
                n, _ = Proposal.objects.filter(session=SESSION).delete()
                Delegate.objects.filter(note=SESSION).delete()
            self.stdout.write(f"deleted {n} synthetic rows")
            return
        sentences = [
            s
            for a in Article.objects.all()
            for s in re.split(r"(?<=[。！？])", a.text.replace("\n", ""))
            if 12 <= len(s) <= 200
        ]
        themes = list(Theme.objects.all())
        regions = list(Region.objects.all())
        if not sentences or not themes or not regions:
            raise CommandError("load the corpus first (manage.py load_corpus)")
        if dry_run:
            self.stdout.write(f"would create {proposals} proposals from {len(sentences)} sentences")
            return
        rng = random.Random(seed)
        started = time.monotonic()
        surnames, given = (
            "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗",
            "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂",
        )
        people = Delegate.objects.bulk_create(
            Delegate(
                name=rng.choice(surnames) + rng.choice(given) + rng.choice(given),
                note=SESSION,
                status=ReviewStatus.PUBLISHED,
            )
            for _ in range(delegates)
        )
        bodies = [b.value for b in Body]
        memberships = Membership.objects.bulk_create(
            Membership(delegate=d, body=rng.choice(bodies), region=rng.choice(regions)) for d in people
        )
        through = Proposal.themes.through
        made = 0
        while made < proposals:
            n = min(batch_size, proposals - made)
            batch = []
            for _ in range(n):
                text = "".join(rng.sample(sentences, rng.randint(2, 5)))
                title = rng.choice(sentences)[:60]
                member = rng.choice(memberships)
                year = rng.choice([2022, 2023, 2024])
                p = Proposal(
                    title=title,
                    summary="",
                    text=text,
                    kind=rng.choice(ProposalKind.values),
                    year=year,
                    session=SESSION,
                    status=ReviewStatus.PUBLISHED,
                    search_tokens=search.index_tokens(title, text, member.delegate.name),
                    search_title=search.plain(title),
                    search_plain=search.plain(title, text, member.delegate.name),
                )
                batch.append((p, member))
            with transaction.atomic():
                created = Proposal.objects.bulk_create([p for p, _ in batch])
                Authorship.objects.bulk_create(
                    Authorship(proposal=p, delegate_id=m.delegate_id, membership=m, role="lead")
                    for p, (_, m) in zip(created, batch, strict=True)
                )
                through.objects.bulk_create(
                    through(proposal_id=p.pk, theme_id=t.pk)
                    for p in created
                    for t in rng.sample(themes, rng.randint(1, 3))
                )
            made += n
            rate = made / (time.monotonic() - started)
            self.stdout.write(f"{made} proposals ({rate:.0f}/s)")
        self.stdout.write(
            self.style.SUCCESS(f"created {made} synthetic proposals in {time.monotonic() - started:.0f}s")
        )
