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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from proposals.models import Body, OrganisationKind, ProposalKind, RegionLevel
from proposals.names import strip_honorific
from proposals.normalise import normalise_article_text
from proposals.weblinks import is_web_url

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


@dataclass
class _Index:
    """What the records built so far are known by, for the references of the records that follow."""

    articles: dict[int, str] = field(default_factory=dict)  # id -> text
    regions: dict[str, tuple[int, str]] = field(default_factory=dict)  # slug -> (id, path)
    organisations: dict[str, int] = field(default_factory=dict)  # name -> id
    themes: dict[str, int] = field(default_factory=dict)  # slug -> id
    delegates: set[int] = field(default_factory=set)
    memberships: dict[int, int] = field(default_factory=dict)  # membership id -> delegate id

    def region_id(self, slug: str | None, where: str) -> int | None:
        if slug is None:
            return None
        _require(slug in self.regions, f"{where}: unknown region {slug}")
        return self.regions[slug][0]

    def evidence(self, where: str, item: dict) -> tuple[int | None, str]:
        """The article and verbatim sentence a membership or position rests on."""
        article: Any = item.get("article")  # YAML: checked below
        evidence = item.get("evidence", "")
        if evidence:
            _require(article in self.articles, f"{where}: unknown article {article}")
            _require(
                evidence in self.articles[article],
                f"{where}: evidence not verbatim in article {article}: {evidence[:40]!r}",
            )
        return article, evidence


def build(source: Path, articles_dir: Path) -> Built:
    """The fixture for the curated file: every record, in an order that loads (referenced records first)."""
    return build_data(yaml.safe_load(source.read_text(encoding="utf-8")), articles_dir)


def build_data(data: dict[str, Any], articles_dir: Path) -> Built:
    """The fixture for curated data already read (the YAML's shape; also what ``ingest.regenerate`` makes)."""
    index = _Index()
    out: list[dict] = []
    out += [_article(index, a, articles_dir) for a in data["articles"]]
    out += [_region(index, r) for r in data["regions"]]
    out += [_organisation(index, o) for o in data["organisations"]]
    out += [_theme(index, t, order) for order, t in enumerate(data["themes"])]
    for d in data["delegates"]:
        out += _delegate(index, d)
    for p in data["proposals"]:
        out += _proposal(index, p)
    _check_unique_keys(out)
    return Built(out)


def _article(index: _Index, a: dict, articles_dir: Path) -> dict:
    url = a.get("url") or ""
    _require(
        not url or is_web_url(url),
        f"article {a.get('id')}: url must be http:// or https://, not {url[:60]!r}",
    )
    text = normalise_article_text((articles_dir / a["file"]).read_text(encoding="utf-8"))
    index.articles[a["id"]] = text
    return _obj(
        "article",
        a["id"],
        **_stamped(
            title=a["title"],
            outlet=a.get("outlet") or "",
            published_on=a.get("published_on"),
            url=url,
            file_name=a["file"],
            text=text,
            text_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        ),
    )


def _region(index: _Index, r: dict) -> dict:
    _require(r["level"] in RegionLevel.values, f"region {r['slug']}: unknown level {r['level']}")
    parent = r.get("parent")
    _require(
        parent is None or parent in index.regions, f"region {r['slug']}: parent {parent} must come first"
    )
    path = f"{index.regions[parent][1] if parent else '/'}{r['slug']}/"
    index.regions[r["slug"]] = (r["id"], path)
    return _obj(
        "region",
        r["id"],
        **_stamped(
            name=r["name"],
            slug=r["slug"],
            level=r["level"],
            parent=index.regions[parent][0] if parent else None,
            code=str(r.get("code") or ""),
            path=path,
        ),
    )


def _organisation(index: _Index, o: dict) -> dict:
    _require(o["kind"] in OrganisationKind.values, f"organisation {o['name']}: unknown kind {o['kind']}")
    index.organisations[o["name"]] = o["id"]
    return _obj(
        "organisation",
        o["id"],
        **_stamped(
            name=o["name"],
            short_name=o.get("short_name", ""),
            kind=o["kind"],
            region=index.region_id(o.get("region"), o["name"]),
            parent=index.organisations.get(o["parent"]) if o.get("parent") else None,
        ),
    )


def _theme(index: _Index, t: dict, order: int) -> dict:
    index.themes[t["slug"]] = t["id"]
    return _obj(
        "theme",
        t["id"],
        **_stamped(
            name=t["name"],
            slug=t["slug"],
            description=t.get("description", ""),
            keywords=" ".join(t.get("keywords", [])),
            order=order,
        ),
    )


def _delegate(index: _Index, d: dict) -> list[dict]:
    """The delegate, then their aliases, memberships and positions."""
    _require(d["id"] not in index.delegates, f"delegate id {d['id']} used twice")
    index.delegates.add(d["id"])
    out = [
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
    ]
    names = [strip_honorific(a) for a in d.get("aliases", [])]  # 代表/委员 address, not name
    aliases = [a for a in dict.fromkeys(names) if a and a != d["name"]]
    for i, alias in enumerate(aliases, start=1):
        out.append(_obj("delegatealias", d["id"] * 10 + i, **_stamped(delegate=d["id"], name=alias)))
    out += [_membership(index, d, m) for m in d.get("memberships", [])]
    out += [_position(index, d, p, order) for order, p in enumerate(d.get("positions", []))]
    return out


def _membership(index: _Index, d: dict, m: dict) -> dict:
    where = f"{d['name']} membership {m['id']}"
    _require(m["body"] in Body.values, f"{where}: unknown body {m['body']}")
    _require(m["id"] not in index.memberships, f"{where}: id used twice")
    index.memberships[m["id"]] = d["id"]
    article, evidence = index.evidence(where, m)
    return _obj(
        "membership",
        m["id"],
        **_stamped(
            delegate=d["id"],
            body=m["body"],
            region=index.region_id(m.get("region"), where),
            sector=m.get("sector", ""),
            role=m.get("role", "member"),
            term=m.get("term", ""),
            article=article,
            evidence=evidence,
        ),
    )


def _position(index: _Index, d: dict, p: dict, order: int) -> dict:
    where = f"{d['name']} position {p['id']}"
    _require(p["organisation"] in index.organisations, f"{where}: unknown organisation {p['organisation']}")
    article, evidence = index.evidence(where, p)
    return _obj(
        "position",
        p["id"],
        **_stamped(
            delegate=d["id"],
            organisation=index.organisations[p["organisation"]],
            title=p.get("title", ""),
            order=order,
            article=article,
            evidence=evidence,
        ),
    )


def _proposal(index: _Index, p: dict) -> list[dict]:
    """The proposal, its authorships, then its quotes and their located passages."""
    where = f"proposal {p['id']}"
    _require(p["kind"] in ProposalKind.values, f"{where}: unknown kind {p['kind']}")
    for slug in p.get("themes", []):
        _require(slug in index.themes, f"{where}: unknown theme {slug}")
    _require(bool(p.get("quotes")), f"{where}: a proposal needs at least one quote")
    quote_objects: list[dict] = []
    for q in p["quotes"]:
        quote_objects += _quote(index, where, p["id"], q)
    proposal = _obj(
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
            themes=[index.themes[s] for s in p.get("themes", [])],
            search_tokens="",
            search_title="",
            search_plain="",
        ),
    )
    return [proposal, *_authorships(index, where, p), *quote_objects]


def _quote(index: _Index, where: str, proposal_id: int, q: dict) -> list[dict]:
    """The quote and its located passage records."""
    _require(q["article"] in index.articles, f"{where}: unknown article {q['article']}")
    objects = [_obj("quote", q["id"], **_stamped(proposal=proposal_id, article=q["article"]))]
    for i, passage in enumerate(q["passages"], start=1):
        start = passage.get("start") if isinstance(passage, dict) else None
        text = passage["text"] if isinstance(passage, dict) else passage
        begin, end = locate(index.articles[q["article"]], text, start)
        objects.append(
            _obj("quotepassage", q["id"] * 10 + i, quote=q["id"], order=i, start=begin, end=end, text=text)
        )
    return objects


def _authorships(index: _Index, where: str, p: dict) -> list[dict]:
    out = []
    leads = 0
    for i, a in enumerate(p["authors"], start=1):
        _require(a["delegate"] in index.delegates, f"{where}: unknown delegate {a['delegate']}")
        membership = a.get("membership")
        _require(
            membership is None or index.memberships.get(membership) == a["delegate"],
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
    return out


def _check_unique_keys(out: list[dict]) -> None:
    pks: set[tuple[str, int]] = set()
    for o in out:
        key = (o["model"], o["pk"])
        _require(key not in pks, f"duplicate primary key {key}")
        pks.add(key)
