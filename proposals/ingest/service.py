"""``article_ingest``: the one write path from an article's text to draft records.

Everything is written through ``full_clean()`` and ``save()`` in one transaction per article, so every
model invariant holds (quotes verbatim at their offsets, one membership per body and region…) and a
failure leaves nothing behind. Records are created as DRAFT; curators publish them through
``proposals.services``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model, Q

from proposals.ingest.extract import DraftDelegate, DraftProposal, Extraction, KnownPerson, extract_article
from proposals.ingest.reading import check_article_text
from proposals.models import (
    Article,
    AuthorRole,
    Authorship,
    Delegate,
    Membership,
    Organisation,
    OrganisationKind,
    Position,
    Proposal,
    Quote,
    QuotePassage,
    Region,
    ReviewStatus,
    Theme,
)

SAME_STATEMENT = 0.5  # bigram overlap above which a statement is new evidence for an existing proposal


@dataclass
class IngestResult:
    article: Article | None
    created: bool
    extraction: Extraction
    delegate_ids: list[int] = field(default_factory=list)
    proposal_ids: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        article = self.article
        meta: dict[str, Any] = {"title": "", "outlet": "", "date": None}
        if article is not None:
            meta = {
                "title": article.title,
                "outlet": article.outlet,
                "date": article.published_on.isoformat() if article.published_on else None,
                "id": article.pk,
                "url": article.url,
            }
        data = self.extraction.as_json(meta)
        data["created"] = self.created
        return data


def known_people() -> list[KnownPerson]:
    """Every delegate's name and aliases, for the jieba user dictionary and alias matching."""
    aliases: dict[int, list[str]] = {}
    for delegate_id, name in Delegate.objects.filter(merged_into__isnull=True).values_list(
        "pk", "aliases__name"
    ):
        aliases.setdefault(delegate_id, [])
        if name:
            aliases[delegate_id].append(name)
    names = dict(Delegate.objects.filter(pk__in=list(aliases)).values_list("pk", "name"))
    return [
        KnownPerson(names[pk], tuple(a for a in found if a != names[pk])) for pk, found in aliases.items()
    ]


def theme_keywords() -> dict[str, list[str]]:
    return {theme.slug: theme.keyword_list for theme in Theme.objects.all()}


def existing_article(text: str, url: str) -> Article | None:
    """The article already stored with the same normalised text or the same URL."""
    query = Q(text=text)
    if url:
        query |= Q(url=url)
    return Article.objects.filter(query).order_by("pk").first()


def match_delegate(draft: DraftDelegate) -> None:
    """Set ``existing_id`` when one delegate of that name or alias has a compatible body, region or
    organisation; flag a doubtful match (same name, conflicting facts) instead of merging it."""
    candidates = list(
        Delegate.objects.filter(Q(name=draft.name) | Q(aliases__name=draft.name), merged_into__isnull=True)
        .distinct()
        .prefetch_related("memberships__region", "positions__organisation")
    )
    compatible = [c for c in candidates if _compatible(c, draft)]
    if len(compatible) == 1:
        draft.existing_id = compatible[0].pk
    elif candidates:
        ids = "、".join(f"#{c.pk}" for c in candidates)
        draft.flags.append(f"疑似同名：已有同名人物 {ids}，身份或单位不一致，新建为草稿，请核对是否合并。")


def _compatible(delegate: Delegate, draft: DraftDelegate) -> bool:
    for membership in delegate.memberships.all():
        for other in draft.memberships:
            if membership.body != other.body:
                continue
            region = membership.region.name if membership.region is not None else ""
            if not region or not other.region or region in other.region or other.region in region:
                return True
    organisations = {p.organisation.name for p in delegate.positions.all()}
    organisations |= {p.organisation.short_name for p in delegate.positions.all()} - {""}
    return any(p.organisation in organisations for p in draft.positions)


def plan_article(text: str, *, url: str = "") -> tuple[Extraction, Article | None]:
    """The extraction of a text with existing delegates matched (reads only)."""
    text = check_article_text(text)
    extraction = extract_article(text, known=known_people(), themes=theme_keywords())
    for draft in extraction.delegates:
        match_delegate(draft)
        extraction.warnings.extend(f"{draft.name}：{flag}" for flag in draft.flags if "疑似同名" in flag)
    return extraction, existing_article(text, url)


@transaction.atomic
def article_ingest(
    *,
    text: str,
    title: str,
    outlet: str = "",
    published_on: dt.date | None = None,
    url: str = "",
    file_name: str = "",
) -> IngestResult:
    """Store the article and its draft records; nothing new when the same text or URL is already stored."""
    extraction, existing = plan_article(text, url=url)
    if existing is not None:
        return IngestResult(article=existing, created=False, extraction=extraction)
    digest = hashlib.sha1(extraction.text.encode("utf-8")).hexdigest()[:16]
    name = file_name or f"ingest_{digest}.txt"
    if Article.objects.filter(file_name=name).exists():
        name = f"{name.removesuffix('.txt')}_{digest}.txt"
    article = Article(
        title=title[:255],
        outlet=outlet,
        published_on=published_on,
        url=url,
        file_name=name,
        text=extraction.text,
    )
    article.full_clean()
    article.save()
    result = IngestResult(article=article, created=True, extraction=extraction)
    year = published_on.year if published_on else _year_of(extraction.text)
    for draft in extraction.delegates:
        delegate = _delegate(draft, article)
        result.delegate_ids.append(delegate.pk)
        memberships = [_membership(delegate, m, article) for m in draft.memberships]
        for position in draft.positions:
            _position(delegate, position, article)
        for proposal in draft.proposals:
            saved = _proposal(delegate, proposal, article, year, published_on, memberships)
            result.proposal_ids.append(saved.pk)
    return result


def _year_of(text: str) -> int:
    years = re.findall(r"(20[0-4]\d)年", text)
    return int(max(set(years), key=years.count)) if years else dt.date.today().year


_M = TypeVar("_M", bound=Model)


def _saved(instance: _M) -> _M:
    instance.full_clean()
    instance.save()
    return instance


def _delegate(draft: DraftDelegate, article: Article) -> Delegate:
    if draft.existing_id:
        existing: Delegate = Delegate.objects.get(pk=draft.existing_id)
        return existing
    note = f"由文章《{article.title[:60]}》自动抽取。" + "".join(draft.flags)
    return _saved(Delegate(name=draft.name, status=ReviewStatus.DRAFT, note=note))


def region_named(name: str) -> Region | None:
    """The Region an article names: 湖北省, 武汉市, 上海市松江区 (a province followed by a place in it)."""
    if not name:
        return None
    found = Region.objects.filter(name=name).order_by("path").first()
    if found is not None:
        return found
    for province in Region.objects.filter(parent__isnull=True):
        if name.startswith(province.name) and len(name) > len(province.name):
            rest = name[len(province.name) :]
            return Region.objects.filter(path__startswith=province.path, name=rest).first()
    return None


def _membership(delegate: Delegate, draft: Any, article: Article) -> Membership:
    region = region_named(draft.region) if draft.body != "cppcc" else None
    same_body = Membership.objects.filter(delegate=delegate, body=draft.body).order_by("pk")
    # A seat already recorded is reused when the article does not contradict its region.
    existing: Membership | None = (
        same_body.filter(Q(region=region) | Q(region__isnull=True)).first() if region else same_body.first()
    )
    if existing is not None:
        return existing
    return _saved(
        Membership(
            delegate=delegate,
            body=draft.body,
            region=region,
            role=draft.role,
            sector=draft.sector,
            article=article,
            evidence=draft.evidence,
        )
    )


_KINDS = [
    (("公司", "集团", "有限"), OrganisationKind.COMPANY),
    (("大学", "学院"), OrganisationKind.UNIVERSITY),
    (("研究院", "研究所", "科学院", "研究中心"), OrganisationKind.RESEARCH),
    (("政协",), OrganisationKind.CPPCC),
    (("人大",), OrganisationKind.CONGRESS),
    (("党委", "党工委", "区委", "市委", "省委"), OrganisationKind.PARTY),
    (("局", "厅", "委", "政府", "办公室"), OrganisationKind.GOVERNMENT),
    (("联", "协会", "学会", "商会"), OrganisationKind.ASSOCIATION),
]


def _organisation(name: str) -> Organisation:
    found: Organisation | None = (
        Organisation.objects.filter(Q(name=name) | Q(short_name=name)).order_by("pk").first()
    )
    if found is not None:
        return found
    kind = next((k for words, k in _KINDS if any(w in name for w in words)), OrganisationKind.OTHER)
    return _saved(Organisation(name=name[:128], kind=kind))


def _position(delegate: Delegate, draft: Any, article: Article) -> None:
    organisation = _organisation(draft.organisation)
    if Position.objects.filter(delegate=delegate, organisation=organisation, title=draft.title[:64]).exists():
        return
    _saved(
        Position(
            delegate=delegate,
            organisation=organisation,
            title=draft.title[:64],
            article=article,
            evidence=draft.evidence if draft.evidence in article.text else "",
        )
    )


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\W", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _same_statement(delegate: Delegate, draft: DraftProposal) -> Proposal | None:
    """An existing proposal of this delegate that says the same thing (another outlet's report of it)."""
    mine = _bigrams("".join(p.text for p in draft.passages))
    candidates: list[Proposal] = list(
        Proposal.objects.filter(authorships__delegate=delegate).prefetch_related("quotes__passages")
    )
    for proposal in candidates:
        theirs = _bigrams("".join(q.text for q in proposal.quotes.all()) or proposal.title)
        if mine and theirs and len(mine & theirs) / min(len(mine), len(theirs)) >= SAME_STATEMENT:
            return proposal
    return None


def _proposal(
    delegate: Delegate,
    draft: DraftProposal,
    article: Article,
    year: int,
    published_on: dt.date | None,
    memberships: list[Membership],
) -> Proposal:
    proposal = _same_statement(delegate, draft)
    if proposal is None:
        proposal = _saved(
            Proposal(
                title=draft.title[:200] or "（待编辑）",
                summary=draft.summary,
                kind=draft.kind,
                year=year,
                date=published_on,
                status=ReviewStatus.DRAFT,
            )
        )
        proposal.themes.set(Theme.objects.filter(slug__in=draft.themes))
        _saved(
            Authorship(
                proposal=proposal,
                delegate=delegate,
                role=AuthorRole.LEAD,
                membership=memberships[0] if memberships else None,
            )
        )
    if Quote.objects.filter(proposal=proposal, article=article).exists():
        return proposal
    quote = _saved(Quote(proposal=proposal, article=article))
    for order, passage in enumerate(draft.passages):
        _saved(
            QuotePassage(quote=quote, order=order, start=passage.start, end=passage.end, text=passage.text)
        )
    return proposal
