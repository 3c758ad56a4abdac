"""An article's text in, the draft records out: delegates, their memberships, positions and proposals
with verbatim passages, the people skipped and warnings. Plain functions, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from proposals.ingest.lexicon import is_word
from proposals.ingest.people import Mention, find_mentions, find_skipped, name_spans
from proposals.ingest.statements import find_statements, suggest_themes, summary_of, title_of
from proposals.ingest.text import Block, Passage, blocks_of, normalise_article_text

REASON_CODES = {
    "记者": "reporter",
    "通讯员": "reporter",
    "摄影": "photographer",
    "采编人员": "staff",
    "专家": "expert",
    "官员": "official",
    "企业员工": "staff",
    "企业负责人": "staff",
}


@dataclass
class DraftMembership:
    body: str
    region: str = ""
    role: str = "member"
    sector: str = ""
    evidence: str = ""


@dataclass
class DraftPosition:
    organisation: str
    title: str = ""
    evidence: str = ""


@dataclass
class DraftProposal:
    kind: str
    title: str
    summary: str
    passages: list[Passage]
    themes: list[str] = field(default_factory=list)


@dataclass
class DraftDelegate:
    name: str
    aliases: list[str] = field(default_factory=list)
    existing_id: int | None = None
    memberships: list[DraftMembership] = field(default_factory=list)
    positions: list[DraftPosition] = field(default_factory=list)
    proposals: list[DraftProposal] = field(default_factory=list)
    mentions: list[Passage] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass
class SkippedPerson:
    name: str
    reason: str  # for the curator, in Chinese: 记者, 专家, 官员…
    start: int | None = None
    end: int | None = None
    code: str = "other"  # for programs: reporter, photographer, expert, official, staff, other


@dataclass
class Extraction:
    text: str
    delegates: list[DraftDelegate] = field(default_factory=list)
    skipped_people: list[SkippedPerson] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self, article: Mapping[str, Any]) -> dict[str, Any]:
        """The ``--dry-run --json`` shape of issue 9 (more keys than required: aliases, evidence, mentions)."""
        return {
            "article": dict(article),
            "delegates": [_delegate_json(d) for d in self.delegates],
            "skipped_people": [asdict(p) for p in self.skipped_people],
            "warnings": list(self.warnings),
        }


def _delegate_json(delegate: DraftDelegate) -> dict[str, Any]:
    data = asdict(delegate)
    data["mentions"] = [asdict(p) for p in delegate.mentions]
    return data


@dataclass(frozen=True)
class KnownPerson:
    """A delegate already in the database, so the rules recognise the name (and aliases)."""

    name: str
    aliases: tuple[str, ...] = ()


def extract_article(
    text: str,
    *,
    known: Iterable[KnownPerson] = (),
    themes: Mapping[str, Iterable[str]] | None = None,
) -> Extraction:
    """Run the rules on an article's text (normalised here first); offsets index the normalised text."""
    text = normalise_article_text(text)
    known = list(known)
    blocks = blocks_of(text, is_word)
    mentions = find_mentions(blocks)
    canonical = {alias: k.name for k in known for alias in (k.name, *k.aliases)}
    by_name: dict[str, list[Mention]] = {}
    for mention in mentions:
        by_name.setdefault(canonical.get(mention.name, mention.name), []).append(mention)
    # Known delegates named in the article without an introduction of their own are picked up by name
    # when they speak (the statement rules require a speech verb after the name).
    known_names = [n for n in canonical if n not in by_name and any(n in b.text for b in blocks)]
    extraction = Extraction(text=text)
    delegates: dict[str, DraftDelegate] = {}
    for name, found in by_name.items():
        delegates[name] = _delegate_from(name, found, blocks, text)
    names = list(delegates) + [n for n in known_names if canonical[n] not in delegates]
    skipped = find_skipped(blocks, names, known=tuple(canonical))
    titles = _heading_titles(blocks)
    statements = find_statements(blocks, names, others=[s.name for s in skipped], titles=titles)
    for statement in statements:
        name = canonical.get(statement.name, statement.name)
        delegate = delegates.get(name)
        if delegate is None:
            delegate = delegates[name] = DraftDelegate(name=name)
        passages = [p for b, s, e in statement.spans for p in blocks[b].passages(s, e, text)]
        clean = "".join(blocks[b].text[s:e] for b, s, e in statement.spans)
        delegate.proposals.append(
            DraftProposal(
                kind=statement.kind,
                title=statement.title or title_of(clean),
                summary=summary_of(clean),
                passages=passages,
                themes=suggest_themes(clean, themes or {}),
            )
        )
    for delegate in delegates.values():
        delegate.mentions = [
            p
            for block in blocks
            for start, end, _ in name_spans(block.text, [delegate.name, *delegate.aliases])
            for p in block.passages(start, end, text)
        ]
        if not delegate.memberships:
            delegate.flags.append("未能判断身份（全国人大、全国政协或地方）：请核对。")
        if not delegate.proposals:
            delegate.flags.append("文中未找到此人的建议或发言。")
    extraction.delegates = [d for d in delegates.values() if d.memberships or d.proposals]
    extraction.skipped_people = [
        SkippedPerson(s.name, s.reason, *_offsets(blocks, s, text), code=REASON_CODES.get(s.reason, "other"))
        for s in skipped
    ]
    if not extraction.delegates:
        extraction.warnings.append("文章中没有发现代表委员：只保存文章和被跳过的人物。")
    return extraction


def _offsets(blocks: list[Block], skipped: Any, text: str) -> tuple[int | None, int | None]:
    if skipped.end <= skipped.start:
        return None, None
    passages = blocks[skipped.block].passages(skipped.start, skipped.end, text)
    return passages[0].start, passages[-1].end


def _delegate_from(name: str, mentions: list[Mention], blocks: list[Block], text: str) -> DraftDelegate:
    delegate = DraftDelegate(name=name)
    for mention in mentions:
        block = blocks[mention.block]
        for membership in mention.memberships:
            evidence = "".join(p.text for p in block.passages(*membership.evidence, text)[:1])
            draft = DraftMembership(
                membership.body, membership.region, membership.role, membership.sector, evidence
            )
            same = [m for m in delegate.memberships if m.body == draft.body]
            if not same:
                delegate.memberships.append(draft)
            else:
                same[0].region = same[0].region or draft.region
                same[0].sector = same[0].sector or draft.sector
        for organisation, title in mention.positions:
            if not any(p.organisation == organisation and p.title == title for p in delegate.positions):
                span = block.text.rfind(organisation, 0, mention.end)
                evidence = ""
                if span >= 0:
                    evidence = "".join(p.text for p in block.passages(span, mention.end, text)[:1])
                delegate.positions.append(DraftPosition(organisation, title, evidence))
    return delegate


def _heading_titles(blocks: list[Block]) -> dict[int, str]:
    """Titles given by headings: ``全国人大代表蓝庆华： 锚定…`` or ``徐冠巨代表：`` + the next heading lines."""
    titles: dict[int, str] = {}
    for index, block in enumerate(blocks):
        if not block.heading:
            continue
        match = re.search(r"[：:]\s*(.*)$", block.text)
        # Only a delegate's heading (徐冠巨代表：, 全国人大代表蓝庆华： 锚定…) titles what follows.
        if not match or not re.search(r"代表|委员", block.text[: match.start()]):
            continue
        title = match.group(1).strip()
        following = index + 1
        while not title and following < len(blocks) and blocks[following].heading:
            line = blocks[following].text
            if line.startswith("■") or "记者" in line:
                break
            title += line
            following += 1
        if title:
            for target in range(index + 1, min(len(blocks), index + 8)):
                titles.setdefault(target, title)
    return titles
