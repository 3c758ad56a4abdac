"""Turns the curated source file (fixtures/curation.yaml) into a Django fixture with explicit primary keys.

The YAML is what curators of the seed corpus edit: people, their memberships and positions, proposals and
their verbatim quotes, each with the article it comes from. The builder finds every quoted passage in its
article (character offsets), and refuses the whole file if one is not verbatim: nothing half-written.

Primary keys are written in the YAML for the records others point at (articles, regions, organisations,
themes, delegates, memberships, positions, proposals, quotes) and derived from the parent for the rest
(alias = delegate*10+i, authorship = proposal*10+i, passage = quote*10+i), so they never change when the
fixture is regenerated.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from proposals.models import Body, OrganisationKind, ProposalKind, RegionLevel
from proposals.names import strip_honorific
from proposals.normalise import normalise_article_text

PUBLISHED = "published"
TIMESTAMP = "2024-03-15T00:00:00Z"


class CurationError(ValueError):
    """The curated file is inconsistent; the message says where."""


@dataclass
class Built:
    objects: list[dict]

    def dumps(self) -> str:
        return json.dumps(self.objects, ensure_ascii=False, indent=1) + "\n"


def _obj(model: str, pk: int, **fields) -> dict:
    fields = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in fields.items()}
    return {"model": f"proposals.{model}", "pk": pk, "fields": fields}


def _stamped(**fields) -> dict:
    return {"created_at": TIMESTAMP, "updated_at": TIMESTAMP, **fields}


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise CurationError(message)


def locate(text: str, passage: str, start: int | None = None) -> tuple[int, int]:
    """Offsets of a verbatim passage in an article; the first occurrence unless start is given."""
    found = (
        text.find(passage)
        if start is None
        else (start if text[start : start + len(passage)] == passage else -1)
    )
    if found < 0:
        raise CurationError(f"passage not verbatim in its article: {passage[:50]!r}")
    return found, found + len(passage)


def build(source: Path, articles_dir: Path) -> Built:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    out: list[dict] = []

    articles: dict[int, str] = {}
    for a in data["articles"]:
        text = normalise_article_text((articles_dir / a["file"]).read_text(encoding="utf-8"))
        articles[a["id"]] = text
        out.append(
            _obj(
                "article",
                a["id"],
                **_stamped(
                    title=a["title"],
                    outlet=a.get("outlet") or "",
                    published_on=a.get("published_on"),
                    url=a.get("url") or "",
                    file_name=a["file"],
                    text=text,
                    text_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                ),
            )
        )

    def check_evidence(where: str, item: dict) -> tuple[int | None, str]:
        article, evidence = item.get("article"), item.get("evidence", "")
        if evidence:
            _require(article in articles, f"{where}: unknown article {article}")
            _require(
                evidence in articles[article],
                f"{where}: evidence not verbatim in article {article}: {evidence[:40]!r}",
            )
        return article, evidence

    regions: dict[str, tuple[int, str]] = {}
    for r in data["regions"]:
        _require(r["level"] in RegionLevel.values, f"region {r['slug']}: unknown level {r['level']}")
        parent = r.get("parent")
        _require(parent is None or parent in regions, f"region {r['slug']}: parent {parent} must come first")
        path = f"{regions[parent][1] if parent else '/'}{r['slug']}/"
        regions[r["slug"]] = (r["id"], path)
        out.append(
            _obj(
                "region",
                r["id"],
                **_stamped(
                    name=r["name"],
                    slug=r["slug"],
                    level=r["level"],
                    parent=regions[parent][0] if parent else None,
                    code=str(r.get("code") or ""),
                    path=path,
                ),
            )
        )

    def region_id(slug: str | None, where: str) -> int | None:
        if slug is None:
            return None
        _require(slug in regions, f"{where}: unknown region {slug}")
        return regions[slug][0]

    organisations: dict[str, int] = {}
    for o in data["organisations"]:
        _require(o["kind"] in OrganisationKind.values, f"organisation {o['name']}: unknown kind {o['kind']}")
        organisations[o["name"]] = o["id"]
        out.append(
            _obj(
                "organisation",
                o["id"],
                **_stamped(
                    name=o["name"],
                    short_name=o.get("short_name", ""),
                    kind=o["kind"],
                    region=region_id(o.get("region"), o["name"]),
                    parent=organisations.get(o.get("parent")) if o.get("parent") else None,
                ),
            )
        )

    themes: dict[str, int] = {}
    for i, t in enumerate(data["themes"]):
        themes[t["slug"]] = t["id"]
        out.append(
            _obj(
                "theme",
                t["id"],
                **_stamped(
                    name=t["name"],
                    slug=t["slug"],
                    description=t.get("description", ""),
                    keywords=" ".join(t.get("keywords", [])),
                    order=i,
                ),
            )
        )

    memberships: dict[int, int] = {}  # membership id -> delegate id
    delegates: set[int] = set()
    for d in data["delegates"]:
        _require(d["id"] not in delegates, f"delegate id {d['id']} used twice")
        delegates.add(d["id"])
        out.append(
            _obj(
                "delegate",
                d["id"],
                **_stamped(
                    name=d["name"],
                    note=d.get("note", ""),
                    status=PUBLISHED,
                    first_published_at=TIMESTAMP,
                    merged_into=None,
                ),
            )
        )
        names = [strip_honorific(a) for a in d.get("aliases", [])]  # 代表/委员 address, not name
        aliases = [a for a in dict.fromkeys(names) if a and a != d["name"]]
        for i, alias in enumerate(aliases, start=1):
            out.append(_obj("delegatealias", d["id"] * 10 + i, **_stamped(delegate=d["id"], name=alias)))
        for m in d.get("memberships", []):
            where = f"{d['name']} membership {m['id']}"
            _require(m["body"] in Body.values, f"{where}: unknown body {m['body']}")
            _require(m["id"] not in memberships, f"{where}: id used twice")
            memberships[m["id"]] = d["id"]
            article, evidence = check_evidence(where, m)
            out.append(
                _obj(
                    "membership",
                    m["id"],
                    **_stamped(
                        delegate=d["id"],
                        body=m["body"],
                        region=region_id(m.get("region"), where),
                        sector=m.get("sector", ""),
                        role=m.get("role", "member"),
                        term=m.get("term", ""),
                        article=article,
                        evidence=evidence,
                    ),
                )
            )
        for i, p in enumerate(d.get("positions", [])):
            where = f"{d['name']} position {p['id']}"
            _require(p["organisation"] in organisations, f"{where}: unknown organisation {p['organisation']}")
            article, evidence = check_evidence(where, p)
            out.append(
                _obj(
                    "position",
                    p["id"],
                    **_stamped(
                        delegate=d["id"],
                        organisation=organisations[p["organisation"]],
                        title=p.get("title", ""),
                        order=i,
                        article=article,
                        evidence=evidence,
                    ),
                )
            )

    for p in data["proposals"]:
        where = f"proposal {p['id']}"
        _require(p["kind"] in ProposalKind.values, f"{where}: unknown kind {p['kind']}")
        for slug in p.get("themes", []):
            _require(slug in themes, f"{where}: unknown theme {slug}")
        _require(p.get("quotes"), f"{where}: a proposal needs at least one quote")
        quote_objects: list[dict] = []
        for q in p["quotes"]:
            _require(q["article"] in articles, f"{where}: unknown article {q['article']}")
            quote_objects.append(_obj("quote", q["id"], **_stamped(proposal=p["id"], article=q["article"])))
            for i, passage in enumerate(q["passages"], start=1):
                start = passage.get("start") if isinstance(passage, dict) else None
                text = passage["text"] if isinstance(passage, dict) else passage
                begin, end = locate(articles[q["article"]], text, start)
                quote_objects.append(
                    _obj(
                        "quotepassage",
                        q["id"] * 10 + i,
                        quote=q["id"],
                        order=i,
                        start=begin,
                        end=end,
                        text=text,
                    )
                )
        out.append(
            _obj(
                "proposal",
                p["id"],
                **_stamped(
                    title=p["title"],
                    summary=p.get("summary", ""),
                    text="",  # derived from the quotes when loaded (proposals.indexing)
                    kind=p["kind"],
                    year=p["year"],
                    date=p.get("date"),
                    session=p.get("session", ""),
                    status=PUBLISHED,
                    first_published_at=TIMESTAMP,
                    themes=[themes[s] for s in p.get("themes", [])],
                    search_tokens="",
                    search_title="",
                    search_plain="",
                ),
            )
        )
        leads = 0
        for i, a in enumerate(p["authors"], start=1):
            _require(a["delegate"] in delegates, f"{where}: unknown delegate {a['delegate']}")
            membership = a.get("membership")
            _require(
                membership is None or memberships.get(membership) == a["delegate"],
                f"{where}: membership {membership} does not belong to delegate {a['delegate']}",
            )
            role = a.get("role", "lead")
            leads += role == "lead"
            out.append(
                _obj(
                    "authorship",
                    p["id"] * 10 + i,
                    **_stamped(
                        proposal=p["id"], delegate=a["delegate"], role=role, membership=membership, order=i
                    ),
                )
            )
        _require(leads == 1, f"{where}: exactly one lead author, found {leads}")
        out.extend(quote_objects)

    pks: set[tuple[str, int]] = set()
    for o in out:
        key = (o["model"], o["pk"])
        _require(key not in pks, f"duplicate primary key {key}")
        pks.add(key)
    return Built(out)
