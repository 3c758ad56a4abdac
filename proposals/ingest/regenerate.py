"""The seed corpus regenerated: the pipeline's drafts of the five articles plus the curator's corrections.

``drafts()`` runs ``extract.extract_article`` on every article of the reference file
(``fixtures/reference.yaml``: articles, regions, organisations, themes) and writes what it finds in the
shape of ``fixtures/curation.yaml`` (the same delegates and proposals lists, with every field spelled out,
no ids, authors naming their delegate and seat). ``apply()`` applies ``fixtures/corrections.yaml`` to that, and
``proposals.curation.build_data`` turns the result into the fixture, so ``regenerate()`` yields the same
objects as ``curation.build()`` does from the curated file. ``derive()`` writes the corrections: what the
curated file says that the drafts do not.

The corrections file, per record, says only what differs from the draft:

- ``delegates``, keyed by name; ``proposals``, keyed by ``<delegate>@<article id>:<first passage start>``
  (the draft's key);
- inside a delegate, ``memberships`` keyed by ``<body>@<article>`` and ``positions`` by
  ``<organisation>@<article>``; inside a proposal, ``quotes`` keyed by article id;
- a record's value is either ``drop`` (the draft is rejected), the fields that differ (a matched draft),
  or, for a key the drafts do not have, the whole record (added by the curator; default values omitted);
- passages are ``[start, end]`` offsets in the normalised article text (the text is the article's);
- any other field (title, summary, note, evidence, region, themes, authors, aliases…) is replaced
  whole when given; authors are ``{delegate: <name>, membership: <body>@<article>}``;
- ids: ``apply`` numbers a kept draft after the record before it (in the drafts' order); the corrections
  give only the ids that break that sequence, and every added record's id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from proposals.ingest.extract import DraftDelegate, DraftProposal, extract_article
from proposals.ingest.text import normalise_article_text

DROP = "drop"

# The fields a record the drafts do not have must give (the rest have defaults).
REQUIRED = {
    "delegates": ("id", "name"),
    "proposals": ("id", "title", "kind", "year", "authors", "quotes"),
}


class CorrectionError(ValueError):
    """A correction does not fit the drafts; the message says which."""


# Every field of a record, with its value when the curated file leaves it out (curation.build's defaults).
DELEGATE_DEFAULTS: dict[str, Any] = {"note": "", "aliases": [], "memberships": [], "positions": []}
MEMBERSHIP_DEFAULTS: dict[str, Any] = {
    "region": None,
    "sector": "",
    "role": "member",
    "term": "",
    "article": None,
    "evidence": "",
}
POSITION_DEFAULTS: dict[str, Any] = {"title": "", "article": None, "evidence": ""}
PROPOSAL_DEFAULTS: dict[str, Any] = {"summary": "", "date": None, "session": "", "themes": []}
AUTHOR_DEFAULTS: dict[str, Any] = {"role": "lead", "membership": None}

# Nested lists matched item by item (keyed), the others are replaced whole.
KEYED = {"memberships", "positions", "quotes"}


def read_yaml(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def article_texts(reference: Mapping[str, Any], articles_dir: Path) -> dict[int, str]:
    return {
        a["id"]: normalise_article_text((articles_dir / a["file"]).read_text(encoding="utf-8"))
        for a in reference["articles"]
    }


# ---- keys ----


def membership_key(m: Mapping[str, Any]) -> str:
    return f"{m['body']}@{m.get('article')}"


def position_key(p: Mapping[str, Any]) -> str:
    return f"{p['organisation']}@{p.get('article')}"


def quote_key(q: Mapping[str, Any]) -> str:
    return str(q["article"])


def proposal_key(delegate: str, quote: Mapping[str, Any]) -> str:
    return f"{delegate}@{quote['article']}:{quote['passages'][0][0]}"


KEY_OF = {"memberships": membership_key, "positions": position_key, "quotes": quote_key}


def _keyed(items: Iterable[dict[str, Any]], key: Any) -> dict[str, dict[str, Any]]:
    """Items by key; a key met again gets ``#2``, ``#3``…"""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        base = k = key(item)
        n = 1
        while k in out:
            n += 1
            k = f"{base}#{n}"
        out[k] = item
    return out


# ---- the drafts, in the curated file's shape ----


def region_slug(regions: list[dict[str, Any]], name: str) -> str | None:
    """The slug of a region an article names (湖北省, 武汉市, 上海市松江区), like ``service.region_named``."""
    if not name:
        return None
    for r in regions:
        if r["name"] == name:
            return str(r["slug"])
    for province in (r for r in regions if not r.get("parent")):
        if name.startswith(province["name"]) and len(name) > len(province["name"]):
            rest = name[len(province["name"]) :]
            for r in regions:
                if r["name"] == rest and r.get("parent") == province["slug"]:
                    return str(r["slug"])
    return None


def year_of(text: str) -> int | None:
    """The year an article is about: its most frequent ``20xx年`` (as ``service`` does)."""
    years = re.findall(r"(20[0-4]\d)年", text)
    return int(max(sorted(set(years)), key=years.count)) if years else None


def drafts(reference: Mapping[str, Any], articles_dir: Path) -> dict[str, Any]:
    """The pipeline's records for the reference articles, as ``{"delegates": [...], "proposals": [...]}``.

    Like ``service.article_ingest`` on an empty database, article after article: a delegate is one
    record by name, a seat (body) already recorded is reused, every draft proposal is a proposal with
    one quote whose lead author is the delegate on their first seat named in the article. Records have
    no ids (``apply`` numbers them) and authors name their delegate and seat (``<body>@<article>``).
    """
    themes = {t["slug"]: t.get("keywords", []) for t in reference["themes"]}
    texts = article_texts(reference, articles_dir)
    delegates: dict[str, dict[str, Any]] = {}
    proposals: list[dict[str, Any]] = []
    for article in reference["articles"]:
        text = texts[article["id"]]
        extraction = extract_article(text, themes=themes)
        year = year_of(text)
        for draft in extraction.delegates:
            record = delegates.get(draft.name)
            if record is None:
                record = delegates[draft.name] = {
                    "name": draft.name,
                    **DELEGATE_DEFAULTS,
                    "aliases": list(draft.aliases),
                    "memberships": [],
                    "positions": [],  # new lists, not the defaults' own
                }
            seats = _draft_memberships(record, draft, article["id"], reference["regions"])
            _draft_positions(record, draft, article["id"])
            for proposal in draft.proposals:
                proposals.append(_draft_proposal(record, proposal, article["id"], year, seats))
    return {"delegates": list(delegates.values()), "proposals": proposals}


def _draft_memberships(
    record: dict[str, Any], draft: DraftDelegate, article: int, regions: list[dict[str, Any]]
) -> list[str]:
    seats = []
    for m in draft.memberships:
        same = [s for s in record["memberships"] if s["body"] == m.body]
        if same:
            seats.append(membership_key(same[0]))
            continue
        seat = {
            "body": m.body,
            **MEMBERSHIP_DEFAULTS,
            "region": region_slug(regions, m.region) if m.body != "cppcc" else None,
            "sector": m.sector,
            "role": m.role,
            "article": article,
            "evidence": m.evidence,
        }
        record["memberships"].append(seat)
        seats.append(membership_key(seat))
    return seats


def _draft_positions(record: dict[str, Any], draft: DraftDelegate, article: int) -> None:
    for p in draft.positions:
        if any(q["organisation"] == p.organisation and q["title"] == p.title for q in record["positions"]):
            continue
        record["positions"].append(
            {"organisation": p.organisation, "title": p.title, "article": article, "evidence": p.evidence}
        )


def _draft_proposal(
    record: dict[str, Any], draft: DraftProposal, article: int, year: int | None, seats: list[str]
) -> dict[str, Any]:
    return {
        "title": draft.title,
        "summary": draft.summary,
        "kind": draft.kind,
        "year": year,
        **PROPOSAL_DEFAULTS,
        "themes": list(draft.themes),
        "authors": [{"delegate": record["name"], "role": "lead", "membership": seats[0] if seats else None}],
        "quotes": [{"article": article, "passages": [[p.start, p.end] for p in draft.passages]}],
        "_delegate": record["name"],
    }


# ---- the curated file, every field spelled out ----


def spelled_out(curation: Mapping[str, Any], texts: Mapping[int, str]) -> dict[str, Any]:
    """The curated delegates and proposals with defaults filled in and passages as offsets."""
    from proposals.curation import locate

    delegates = []
    for d in curation["delegates"]:
        delegates.append(
            {
                **DELEGATE_DEFAULTS,
                **d,
                "memberships": [{**MEMBERSHIP_DEFAULTS, **m} for m in d.get("memberships", [])],
                "positions": [{**POSITION_DEFAULTS, **p} for p in d.get("positions", [])],
            }
        )
    proposals = []
    for p in curation["proposals"]:
        quotes = []
        for q in p["quotes"]:
            passages = []
            for passage in q["passages"]:
                text = passage["text"] if isinstance(passage, dict) else passage
                start = passage.get("start") if isinstance(passage, dict) else None
                passages.append(list(locate(texts[q["article"]], text, start)))
            quotes.append({**q, "passages": passages})
        proposals.append(
            {
                **PROPOSAL_DEFAULTS,
                **p,
                "authors": [{**AUTHOR_DEFAULTS, **a} for a in p["authors"]],
                "quotes": quotes,
            }
        )
    return {"delegates": delegates, "proposals": proposals}


# ---- corrections: derive and apply ----


def _diff(
    draft: Mapping[str, Any], curated: Mapping[str, Any], defaults: Mapping[str, Any]
) -> dict[str, Any]:
    """The fields of ``curated`` that ``draft`` does not have (keyed lists item by item)."""
    out: dict[str, Any] = {}
    for field, value in curated.items():
        if field == "id":  # numbered in order (see derive)
            continue
        if field in KEYED:
            changes = _diff_keyed(draft.get(field, []), value, field)
            if changes:
                out[field] = changes
        elif field not in draft or draft[field] != value:
            out[field] = value
    for field in draft:
        if field not in curated and not field.startswith("_") and field not in KEYED | {"id"}:
            out[field] = defaults.get(field)
    return out


ITEM_DEFAULTS: dict[str, dict[str, Any]] = {
    "memberships": MEMBERSHIP_DEFAULTS,
    "positions": POSITION_DEFAULTS,
    "quotes": {},
}


def _diff_keyed(drafted: list[dict[str, Any]], curated: list[dict[str, Any]], field: str) -> dict[str, Any]:
    key = KEY_OF[field]
    old = _keyed(drafted, key)
    new = _keyed(curated, key)
    out: dict[str, Any] = {}
    for k, item in new.items():
        if k in old:
            change = _diff(old[k], item, ITEM_DEFAULTS[field])
            if change:
                out[k] = change
        else:
            out[k] = _compact(item, ITEM_DEFAULTS[field])
    for k in old:
        if k not in new:
            out[k] = DROP
    return out


def _compact(record: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """A whole record without the fields at their default value."""
    out: dict[str, Any] = {}
    for field, value in record.items():
        if field.startswith("_") or (field in defaults and defaults[field] == value):
            continue
        if field in KEYED:
            value = [_compact(item, ITEM_DEFAULTS[field]) for item in value]
        out[field] = value
    return out


def _lead_name(proposal: Mapping[str, Any]) -> str:
    lead = next(a for a in proposal["authors"] if a.get("role", "lead") == "lead")
    return str(lead["delegate"])


def _chars(quote: Mapping[str, Any]) -> set[int]:
    return {i for start, end in quote["passages"] for i in range(start, end)}


def match_proposals(draft: list[dict[str, Any]], curated: list[dict[str, Any]]) -> dict[int, str]:
    """Curated proposal (index) -> the key of the draft it corrects: the same lead delegate and article,
    the passages of its first quote overlapping the most (each draft corrects one proposal at most)."""
    pairs = []
    for i, proposal in enumerate(curated):
        first = proposal["quotes"][0]
        wanted = _chars(first)
        for d in draft:
            quote = d["quotes"][0]
            if d["_delegate"] != _lead_name(proposal) or quote["article"] != first["article"]:
                continue
            got = _chars(quote)
            if got & wanted:
                pairs.append((len(got & wanted) / len(got | wanted), i, proposal_key(d["_delegate"], quote)))
    matched: dict[int, str] = {}
    used: set[str] = set()
    for _, i, key in sorted(pairs, key=lambda p: -p[0]):
        if i not in matched and key not in used:
            matched[i] = key
            used.add(key)
    return matched


def _symbolic_authors(curated: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The curated proposals with authors naming their delegate and seat instead of ids."""
    names = {d["id"]: d["name"] for d in curated["delegates"]}
    seats = {
        m["id"]: key
        for d in curated["delegates"]
        for key, m in _keyed(d["memberships"], membership_key).items()
    }
    return [
        {
            **p,
            "authors": [
                {
                    **a,
                    "delegate": names.get(a["delegate"], a["delegate"]),
                    "membership": seats.get(a["membership"], a["membership"]),
                }
                for a in p["authors"]
            ],
        }
        for p in curated["proposals"]
    ]


def derive(draft: Mapping[str, Any], curated: Mapping[str, Any]) -> dict[str, Any]:
    """The corrections that turn ``draft`` into ``curated`` (as ``drafts()`` and ``spelled_out()`` give)."""
    old = {d["name"]: d for d in draft["delegates"]}
    new = {d["name"]: d for d in curated["delegates"]}
    delegates: dict[str, Any] = {}
    for name, d in new.items():
        if name in old:
            change = _diff(old[name], d, DELEGATE_DEFAULTS)
            if change:
                delegates[name] = change
        else:
            delegates[name] = _compact(d, DELEGATE_DEFAULTS)
    delegates.update({name: DROP for name in old if name not in new})

    curated_proposals = _symbolic_authors(curated)
    drafted = {proposal_key(p["_delegate"], p["quotes"][0]): p for p in draft["proposals"]}
    matched = match_proposals(draft["proposals"], curated_proposals)
    proposals: dict[str, Any] = {}
    kept: dict[str, dict[str, Any]] = {}
    for i, p in enumerate(curated_proposals):
        if i in matched:
            kept[matched[i]] = p
            change = _diff(drafted[matched[i]], p, PROPOSAL_DEFAULTS)
            if change:
                proposals[matched[i]] = change
            continue
        key = proposal_key(_lead_name(p), p["quotes"][0])
        while key in drafted or key in proposals:
            key += "+"
        proposals[key] = _compact(p, PROPOSAL_DEFAULTS)
    proposals.update({key: DROP for key in drafted if key not in kept})

    # Ids: a drafted record kept by the curator is numbered after the one before it (in the drafts'
    # order) unless the corrections give its id.
    last: dict[str, int] = {}

    def number(kind: str, curated_id: int, change: dict[str, Any]) -> None:
        if curated_id != last.get(kind, 0) + 1:
            change["id"] = curated_id
        last[kind] = curated_id

    for name, d in old.items():
        if name not in new:
            continue
        change = delegates.setdefault(name, {})
        number("delegate", new[name]["id"], change)
        for field in ("memberships", "positions"):
            ours = _keyed(new[name][field], KEY_OF[field])
            for key in _keyed(d[field], KEY_OF[field]):
                if key in ours:
                    number(field, ours[key]["id"], change.setdefault(field, {}).setdefault(key, {}))
    for key, p in drafted.items():
        if key not in kept:
            continue
        change = proposals.setdefault(key, {})
        number("proposals", kept[key]["id"], change)
        ours = _keyed(kept[key]["quotes"], quote_key)
        for quote in _keyed(p["quotes"], quote_key):
            if quote in ours:
                number("quotes", ours[quote]["id"], change.setdefault("quotes", {}).setdefault(quote, {}))
    return {"delegates": _pruned(delegates), "proposals": _pruned(proposals)}


def _pruned(changes: dict[str, Any]) -> dict[str, Any]:
    """Without the empty changes the numbering walk left."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if isinstance(value, dict):
            value = {f: (_pruned(v) if f in KEYED and isinstance(v, dict) else v) for f, v in value.items()}
            value = {f: v for f, v in value.items() if v != {}}
            if not value:
                continue
        out[key] = value
    return out


def _apply_record(
    record: Mapping[str, Any] | None, change: Any, defaults: Mapping[str, Any]
) -> dict[str, Any] | None:
    if change == DROP:
        return None
    added = record is None
    if record is None:  # added by the curator: the whole record, defaults left out
        record = {**defaults}
        for field in KEYED & set(change):
            record[field] = []
        change = {
            f: ({KEY_OF[f](v): v for v in value} if f in KEYED else value) for f, value in change.items()
        }
    out = dict(record)
    for field, value in change.items():
        if field in KEYED:
            out[field] = _apply_keyed(record.get(field, []), value, field)
        else:
            out[field] = value
    if added:
        out["_added"] = True
    return out


def _apply_keyed(items: list[dict[str, Any]], changes: Mapping[str, Any], field: str) -> list[dict[str, Any]]:
    current = _keyed(items, KEY_OF[field])
    out = []
    for key in list(current) + [k for k in changes if k not in current]:
        item = _apply_record(current.get(key), changes.get(key, {}), ITEM_DEFAULTS[field])
        if item is not None:
            out.append(item)
    return out


def apply(draft: Mapping[str, Any], corrections: Mapping[str, Any]) -> dict[str, Any]:
    """The drafts with the corrections applied: delegates and proposals in the curated file's shape
    (numbered, authors by id, every list in id order)."""
    result: dict[str, list[dict[str, Any]]] = {}
    for section, defaults, key_of in (
        ("delegates", DELEGATE_DEFAULTS, lambda r: r["name"]),
        ("proposals", PROPOSAL_DEFAULTS, lambda r: proposal_key(r["_delegate"], r["quotes"][0])),
    ):
        changes: Mapping[str, Any] = corrections.get(section) or {}
        records = {key_of(r): r for r in draft[section]}
        out = []
        for key in list(records) + [k for k in changes if k not in records]:
            change = changes.get(key, {})
            if key not in records:
                missing = [f for f in REQUIRED[section] if not isinstance(change, dict) or f not in change]
                if missing:
                    raise CorrectionError(
                        f"{section} {key}: no draft has this key (did the rules change? run "
                        f"regenerate_fixture --derive) and it is not a whole record (missing {', '.join(missing)})"
                    )
            record = _apply_record(records.get(key), change, defaults)
            if record is not None:
                out.append(record)
        result[section] = out
    last: dict[str, int] = {}

    def number(kind: str, record: dict[str, Any]) -> None:
        if record.pop("_added", False):
            return  # an added record gives its id
        record.setdefault("id", last.get(kind, 0) + 1)
        last[kind] = record["id"]

    for d in result["delegates"]:
        number("delegate", d)
        for field in ("memberships", "positions"):
            for item in d[field]:
                number(field, item)
            d[field].sort(key=lambda item: int(item["id"]))
    ids = {d["name"]: d["id"] for d in result["delegates"]}
    seats = {
        (d["name"], key): m["id"]
        for d in result["delegates"]
        for key, m in _keyed(d["memberships"], membership_key).items()
    }
    for p in result["proposals"]:
        number("proposals", p)
        for quote in p["quotes"]:
            number("quotes", quote)
        p["quotes"].sort(key=lambda q: int(q["id"]))
        p["authors"] = [
            {
                **a,
                "delegate": ids.get(a["delegate"], a["delegate"]),
                "membership": seats.get((a["delegate"], a["membership"]), a["membership"]),
            }
            for a in p["authors"]
        ]
        p.pop("_delegate", None)
    return {section: sorted(records, key=lambda r: int(r["id"])) for section, records in result.items()}


def as_curation(
    reference: Mapping[str, Any], records: Mapping[str, Any], texts: Mapping[int, str]
) -> dict[str, Any]:
    """The whole curated file's data (reference sections, delegates, proposals with passage texts)."""
    proposals = []
    for p in records["proposals"]:
        quotes = [
            {
                **q,
                "passages": [
                    {"text": texts[q["article"]][start:end], "start": start} for start, end in q["passages"]
                ],
            }
            for q in p["quotes"]
        ]
        proposals.append({**p, "quotes": quotes})
    return {**reference, "delegates": records["delegates"], "proposals": proposals}


def regenerate(reference_path: Path, corrections_path: Path, articles_dir: Path) -> Any:
    """The fixture (``curation.Built``) from the pipeline, the reference file and the corrections."""
    from proposals.curation import build_data

    reference = read_yaml(reference_path)
    corrections = read_yaml(corrections_path) if corrections_path.exists() else {}
    records = apply(drafts(reference, articles_dir), corrections or {})
    return build_data(as_curation(reference, records, article_texts(reference, articles_dir)), articles_dir)


def derive_from_curation(reference_path: Path, curation_path: Path, articles_dir: Path) -> dict[str, Any]:
    """The corrections of the curated file relative to the pipeline's drafts."""
    reference = read_yaml(reference_path)
    texts = article_texts(reference, articles_dir)
    return derive(drafts(reference, articles_dir), spelled_out(read_yaml(curation_path), texts))


HEADER = """\
# Curator corrections of the pipeline's drafts of the five seed articles (issue 9).
# `manage.py regenerate_fixture` = proposals.ingest.extract on fixtures/articles + fixtures/reference.yaml
# + this file -> the same fixture as fixtures/curation.yaml (tests/test_regenerate.py compares them).
# Keys: delegates by name; proposals by <drafted delegate>@<article id>:<first passage start>;
# memberships <body>@<article>, positions <organisation>@<article>, quotes <article>.
# A value is `drop`, the fields that differ from the draft, or a whole record for a key the drafts lack.
# Passages are [start, end] in the normalised article text. Authors: {delegate: <name>, membership: <key>}.
# Ids only where they break the drafts' order. Written by `regenerate_fixture --derive fixtures/curation.yaml`.
"""


def dumps(corrections: Mapping[str, Any]) -> str:
    body = yaml.safe_dump(
        dict(corrections), allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=None
    )
    return HEADER + body
