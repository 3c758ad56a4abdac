"""One batch of synthetic proposals and the rows they need: pure functions, run in worker processes.

A proposal quotes one to three synthetic articles (one or two verbatim passages each, cut from the article's
text at known offsets), so that every passage is its article's ``text[start:end]``; its text is derived from
the first-reported quote exactly as ``proposals.indexing`` derives it. Authors, themes and years follow skewed (Zipf-like) frequencies. Every text is
segmented here, on its own: no token cache is shared between texts.
"""

from __future__ import annotations

import bisect
import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from proposals import filter_keys, pair_signature, search
from proposals.models.sources import joined_passages
from proposals.synthetic import SESSION

YEARS = [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025]
YEAR_WEIGHTS = [4, 5, 6, 8, 11, 15, 26, 25]
QUOTES_PER_PROPOSAL = ([1, 2, 3], [60, 30, 10])
MAX_QUOTES = 3
JOINT_SHARE = 0.2  # proposals with co-signers
_CLAUSE = re.compile(r"[^，。；：！？、\n“”（）《》]{6,28}")
NATIONAL = {"npc", "cppcc"}


@dataclass
class Columns:
    """The columns COPY writes for one table, and the value of each column a row leaves out."""

    table: str
    names: list[str]
    defaults: dict[str, Any]

    def values(self, row: dict[str, Any]) -> list[Any]:
        return [row[n] if n in row else self.defaults[n] for n in self.names]


@dataclass
class World:
    """What every batch draws from; built once in the parent process and inherited by the workers."""

    seed: int
    batch_size: int
    first_proposal_id: int
    first_quote_id: int
    now: datetime
    delegates: list[tuple[int, str]]  # (id, the names and organisations the search index holds)
    memberships: list[list[tuple[int, str]]]  # per delegate: (membership id, body code)
    delegate_keys: list[tuple[str, ...]]  # per delegate: the filter keys a proposal gets from them
    delegate_weights: list[float]  # cumulative
    themes: list[int]
    theme_weights: list[float]  # cumulative
    articles: list[tuple[int, str, list[int], tuple]]  # (id, text, sentence starts, reporting order key)
    article_weights: list[float]  # cumulative
    columns: dict[str, Columns] = field(default_factory=dict)
    copy_format: bool = True  # COPY text lines (PostgreSQL) or rows as dicts (SQLite)


def zipf_cumulative(n: int, exponent: float) -> list[float]:
    total, out = 0.0, []
    for rank in range(1, n + 1):
        total += rank**-exponent
        out.append(total)
    return out


def pick(rng: random.Random, cumulative: list[float]) -> int:
    return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])


def pick_distinct(rng: random.Random, cumulative: list[float], k: int) -> list[int]:
    chosen: list[int] = []
    for _ in range(k * 4):
        i = pick(rng, cumulative)
        if i not in chosen:
            chosen.append(i)
            if len(chosen) == k:
                break
    return chosen


@dataclass
class Batch:
    number: int
    proposals: int
    rows: dict[str, list[dict[str, Any]] | bytes] = field(default_factory=dict)  # rows, or COPY text


def make_batch(world: World, number: int, count: int) -> Batch:
    rng = random.Random(f"{world.seed}-{number}")
    rows: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("proposal", "authorship", "theme", "quote", "passage")
    }
    for i in range(count):
        index = number * world.batch_size + i
        _proposal(world, rng, index, rows)
    batch = Batch(number, count)
    for key, table_rows in rows.items():
        # COPY text is encoded here, in the worker: the parent only streams the bytes to PostgreSQL.
        batch.rows[key] = (
            copy_text(world.columns[key], table_rows).encode() if world.copy_format else table_rows
        )
    return batch


def _proposal(world: World, rng: random.Random, index: int, rows: dict[str, list]) -> None:
    pid = world.first_proposal_id + index
    lead = pick(rng, world.delegate_weights)
    membership_id, body = rng.choice(world.memberships[lead])
    authors = [lead]
    if rng.random() < JOINT_SHARE:
        authors += [d for d in pick_distinct(rng, world.delegate_weights, rng.randint(1, 4)) if d != lead]
    congress = body == "npc" or body.endswith("congress")
    kind = rng.choices(["suggestion" if congress else "proposal", "speech", "view"], weights=[85, 8, 7])[0]
    year = rng.choices(YEARS, weights=YEAR_WEIGHTS)[0]
    day = None
    if rng.random() > 0.08:
        day = date(year, 3 if body in NATIONAL else rng.choice([1, 2]), rng.randint(1, 28))

    passages = _passages(world, rng, pid, index, rows)
    text = joined_passages(passages)  # the delegate's words, as proposals.indexing derives them
    clause = _CLAUSE.findall(passages[0].text)
    subject = rng.choice(clause) if clause else passages[0].text[:20]
    title = (
        f"关于{subject}的{'建议' if congress else '提案'}" if kind in ("suggestion", "proposal") else subject
    )
    people = " ".join(dict.fromkeys(n for a in authors for n in world.delegates[a][1].split()))
    themes = [
        world.themes[t]
        for t in pick_distinct(rng, world.theme_weights, rng.choices([1, 2, 3], weights=[50, 35, 15])[0])
    ]
    bodies = [body] + [world.memberships[a][0][1] for a in authors[1:]]
    created = world.now
    # The proposal's related rows first, so that the columns computed from them (the filter keys) are
    # written with the proposal row itself: COPY writes each row once (an UPDATE afterwards would rewrite
    # every row and recompute the generated search_vector and filter_vector).
    authorships = [
        {
            "created_at": created,
            "updated_at": created,
            "proposal_id": pid,
            "delegate_id": world.delegates[author][0],
            "role": "lead" if order == 0 else "cosigner",
            "membership_id": membership_id if order == 0 else world.memberships[author][0][0],
            "order": order,
        }
        for order, author in enumerate(authors)
    ]
    rows["proposal"].append(
        {
            "id": pid,
            "created_at": created,
            "updated_at": created,
            "first_published_at": created,
            "status": "published",
            "title": title,
            "summary": "",
            "text": text,
            "kind": kind,
            "year": year,
            "date": day,
            "session": SESSION,
            **search_columns(title, text, people),
            "filter_keys": filter_keys.assemble(
                kind, year, themes, bodies, (world.delegate_keys[a] for a in authors)
            ),
        }
    )
    rows["authorship"].extend(authorships)
    rows["theme"].extend({"proposal_id": pid, "theme_id": theme_id} for theme_id in themes)


def search_columns(title: str, text: str, people: str) -> dict[str, str]:
    """The search columns as ``proposals.indexing`` writes them (title, no summary, the delegate's words,
    the authors' names and organisations), each text converted to simplified characters once and segmented
    once by ``search.index_tokens``."""
    simplified = [search.to_simplified(t) for t in (title, text, people)]
    plain = search.plain(*simplified, simplified=True)
    return {
        "search_tokens": search.index_tokens(*simplified, simplified=True),
        "search_title": search.plain(simplified[0], simplified=True),
        "search_plain": plain,
        "search_signature": pair_signature.signature(plain),
    }


def _passages(world: World, rng: random.Random, pid: int, index: int, rows: dict[str, list]) -> list[Any]:
    """Quotes from distinct articles, one or two passages each; returns the passages of the first-reported
    quote (the earliest article), which hold the delegate's words: about 200-800 characters."""
    target = int(rng.triangular(200, 800, 300))
    n_quotes = rng.choices(*QUOTES_PER_PROPOSAL)[0]
    # The earliest article first (the order proposals.indexing reads the quotes in), so that it gets the
    # longest passages and the lowest quote id.
    chosen = sorted(pick_distinct(rng, world.article_weights, n_quotes), key=lambda a: world.articles[a][3])
    first: list[Any] = []  # passage-like records (order, start, end, text) for joined_passages
    for k, a in enumerate(chosen):
        article_id, article_text, starts, _ = world.articles[a]
        quote_id = world.first_quote_id + index * MAX_QUOTES + k
        rows["quote"].append(
            {
                "id": quote_id,
                "created_at": world.now,
                "updated_at": world.now,
                "proposal_id": pid,
                "article_id": article_id,
            }
        )
        pieces = 2 if rng.random() < 0.25 else 1
        length = target if k == 0 else rng.randint(60, 200)
        share = max(40, length // pieces)
        position = rng.randrange(len(starts) - pieces) if len(starts) > pieces else 0
        for order in range(pieces):
            start = starts[min(position, len(starts) - 1)]
            end = min(len(article_text), start + share)
            stop = article_text.find("。", end, end + 40)  # end on a full stop when one is near
            end = stop + 1 if stop >= 0 else end
            passage = {
                "quote_id": quote_id,
                "order": order,
                "start": start,
                "end": end,
                "text": article_text[start:end],
            }
            rows["passage"].append(passage)
            if k == 0:
                first.append(SimpleNamespace(**passage))
            position = bisect.bisect_left(starts, end) + rng.randint(1, 3)  # the next passage lies further on
            if position >= len(starts):
                break
    return first


# --- COPY text format ------------------------------------------------------------------------------------

_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _copy_value(value: Any) -> str:
    if isinstance(value, str):
        for char, escaped in _ESCAPES:  # str.replace only where needed: translate() is slow on CJK text
            if char in value:
                value = value.replace(char, escaped)
        return value
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def copy_text(columns: Columns, rows: list[dict[str, Any]]) -> str:
    """Rows in COPY's text format (one line a row, tab-separated, in ``columns.names`` order)."""
    names, defaults = columns.names, columns.defaults
    return "".join(
        "\t".join([_copy_value(r[n] if n in r else defaults[n]) for n in names]) + "\n" for r in rows
    )
