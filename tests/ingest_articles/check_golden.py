#!/usr/bin/env python3
"""Check the invented test articles and their golden files (plain Python, no Django).

    python tests/ingest_articles/check_golden.py [DIR]

For every ``<name>.txt`` in DIR (default: this script's folder) there must be a
``<name>.golden.json``, and for every golden file an article. Checked:

* the article is UTF-8, starts with the test-material marker line, and is
  1,500–6,000 characters long;
* the golden file parses and has exactly the shape the extractor's
  ``--dry-run --json`` emits (minus the keys that are not graded: titles,
  summaries, offsets, existing ids, warnings), with the allowed codes;
* every passage text occurs verbatim in the article, passages are not empty and
  do not start or end with whitespace, no passage is used twice;
* every delegate and skipped person is named in the article (spaces that the
  layout put inside a name are ignored), nobody is both a delegate and skipped,
  and names are unique within a file;
* dates are ``YYYY-MM-DD`` or null, themes are known theme slugs.

Organisations that do not appear verbatim (they may be completed from the
context, e.g. 省政协 → 江西省政协) are reported as notes, not failures.
Exit status 0 when everything passes, 1 otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

MARKER = "【测试材料：虚构报道，仅用于测试抽取，不是真实新闻】"
MIN_CHARS, MAX_CHARS = 1500, 6000

BODIES = {
    "npc",
    "cppcc",
    "provincial-cppcc",
    "municipal-cppcc",
    "district-cppcc",
    "provincial-congress",
    "municipal-congress",
    "district-congress",
}
ROLES = {"member", "chair", "vice_chair"}
KINDS = {"suggestion", "proposal", "speech", "view"}
REASONS = {"expert", "official", "reporter", "photographer", "staff", "other"}
# Theme slugs of fixtures/curation.yaml (the themes the extractor suggests from).
THEMES = {
    "artificial-intelligence",
    "smart-manufacturing",
    "new-energy-vehicles",
    "integrated-circuits",
    "digital-economy",
    "computing-power",
    "tech-transfer",
    "basic-research",
    "strategic-emerging-industries",
    "future-industries",
    "traditional-industry-upgrading",
    "rural-revitalisation",
    "culture-tourism",
    "cybersecurity",
    "tech-finance",
    "talent",
    "innovation-platforms",
    "green-low-carbon",
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Report:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.notes: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def note(self, where: str, message: str) -> None:
        self.notes.append(f"{where}: {message}")


def keys_are(obj, expected: set[str], where: str, report: Report) -> bool:
    if not isinstance(obj, dict):
        report.error(where, f"expected an object, got {type(obj).__name__}")
        return False
    if set(obj) != expected:
        missing, extra = expected - set(obj), set(obj) - expected
        report.error(where, f"keys differ: missing {sorted(missing)}, unexpected {sorted(extra)}")
        return False
    return True


def is_str(value, where: str, report: Report, *, nullable: bool = False, empty: bool = True) -> bool:
    if value is None and nullable:
        return True
    if not isinstance(value, str):
        report.error(where, f"expected a string{' or null' if nullable else ''}, got {value!r}")
        return False
    if not empty and not value.strip():
        report.error(where, "must not be empty")
        return False
    return True


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_pair(txt: Path, golden: Path, report: Report) -> dict:
    name = txt.stem
    stats = {"delegates": 0, "skipped": 0, "proposals": 0, "passages": 0}
    try:
        text = txt.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        report.error(name, f"article is not UTF-8: {exc}")
        return stats
    if not text.startswith(MARKER + "\n"):
        report.error(name, "article must start with the test-material marker line")
    if not MIN_CHARS <= len(text) <= MAX_CHARS:
        report.error(name, f"article has {len(text)} characters, expected {MIN_CHARS}–{MAX_CHARS}")
    flat = squeeze(text)

    try:
        data = json.loads(golden.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.error(name, f"golden file does not parse: {exc}")
        return stats
    if not keys_are(data, {"article", "delegates", "skipped_people"}, name, report):
        return stats

    art = data["article"]
    if keys_are(art, {"title", "outlet", "date"}, f"{name}.article", report):
        if is_str(art["title"], f"{name}.article.title", report, empty=False):
            # A title printed over two lines is written with a space; quotes may differ (" vs “”).
            plain = flat.replace('"', "").replace("“", "").replace("”", "")
            for part in art["title"].split():
                bare = part.replace('"', "").replace("“", "").replace("”", "")
                if bare and bare not in plain:
                    report.note(f"{name}.article.title", f"{part!r} is not printed verbatim")
        is_str(art["outlet"], f"{name}.article.outlet", report)
        if art["date"] is not None and not (isinstance(art["date"], str) and DATE.match(art["date"])):
            report.error(f"{name}.article.date", f"expected YYYY-MM-DD or null, got {art['date']!r}")

    seen_names: set[str] = set()
    seen_passages: set[str] = set()
    delegates = data["delegates"]
    if not isinstance(delegates, list):
        report.error(name, "delegates must be a list")
        delegates = []
    for i, d in enumerate(delegates):
        where = f"{name}.delegates[{i}]"
        if not keys_are(d, {"name", "memberships", "positions", "proposals"}, where, report):
            continue
        stats["delegates"] += 1
        if is_str(d["name"], f"{where}.name", report, empty=False):
            where = f"{name}:{d['name']}"
            if d["name"] != d["name"].strip() or re.search(r"\s", d["name"]):
                report.error(where, "name must not contain whitespace")
            if squeeze(d["name"]) not in flat:
                report.error(where, "name does not appear in the article")
            if d["name"] in seen_names:
                report.error(where, "name listed twice")
            seen_names.add(d["name"])
        if not isinstance(d["memberships"], list) or not d["memberships"]:
            report.error(where, "memberships must be a non-empty list")
        else:
            for j, m in enumerate(d["memberships"]):
                mw = f"{where}.memberships[{j}]"
                if not keys_are(m, {"body", "region", "role", "sector"}, mw, report):
                    continue
                if m["body"] not in BODIES:
                    report.error(mw, f"unknown body {m['body']!r}")
                if m["role"] not in ROLES:
                    report.error(mw, f"unknown role {m['role']!r}")
                is_str(m["region"], f"{mw}.region", report, nullable=True, empty=False)
                is_str(m["sector"], f"{mw}.sector", report)
                if m["body"] != "cppcc" and m["body"] != "npc" and m["region"] is None:
                    report.note(mw, "local body without a region")
        if not isinstance(d["positions"], list):
            report.error(where, "positions must be a list")
        else:
            for j, p in enumerate(d["positions"]):
                pw = f"{where}.positions[{j}]"
                if keys_are(p, {"organisation", "title"}, pw, report):
                    if (
                        is_str(p["organisation"], f"{pw}.organisation", report, empty=False)
                        and squeeze(p["organisation"]) not in flat
                    ):
                        report.note(pw, f"organisation {p['organisation']!r} is completed from context")
                    is_str(p["title"], f"{pw}.title", report)
        if not isinstance(d["proposals"], list):
            report.error(where, "proposals must be a list")
            continue
        for j, pr in enumerate(d["proposals"]):
            prw = f"{where}.proposals[{j}]"
            if not keys_are(pr, {"kind", "passages", "themes"}, prw, report):
                continue
            stats["proposals"] += 1
            if pr["kind"] not in KINDS:
                report.error(prw, f"unknown kind {pr['kind']!r}")
            if not isinstance(pr["themes"], list) or any(t not in THEMES for t in pr["themes"]):
                report.error(prw, f"themes must be known theme slugs, got {pr['themes']!r}")
            if not isinstance(pr["passages"], list) or not pr["passages"]:
                report.error(prw, "passages must be a non-empty list")
                continue
            for k, ps in enumerate(pr["passages"]):
                pw = f"{prw}.passages[{k}]"
                if not keys_are(ps, {"text"}, pw, report):
                    continue
                if not is_str(ps["text"], f"{pw}.text", report, empty=False):
                    continue
                stats["passages"] += 1
                t = ps["text"]
                if t != t.strip():
                    report.error(pw, "passage starts or ends with whitespace")
                if t not in text:
                    report.error(pw, f"passage is not a verbatim substring of the article: {t[:40]!r}…")
                if t in seen_passages:
                    report.error(pw, "passage used twice in this golden file")
                seen_passages.add(t)
            if d.get("name") and isinstance(d["name"], str):
                joined = squeeze("".join(p.get("text", "") for p in pr["passages"] if isinstance(p, dict)))
                if squeeze(d["name"]) not in joined:
                    report.note(
                        prw, "the delegate's name is not inside the passages (attribution by context)"
                    )

    skipped = data["skipped_people"]
    if not isinstance(skipped, list):
        report.error(name, "skipped_people must be a list")
        skipped = []
    for i, s in enumerate(skipped):
        where = f"{name}.skipped_people[{i}]"
        if not keys_are(s, {"name", "reason"}, where, report):
            continue
        stats["skipped"] += 1
        if is_str(s["name"], f"{where}.name", report, empty=False):
            if re.search(r"\s", s["name"]):
                report.error(where, "name must not contain whitespace")
            if squeeze(s["name"]) not in flat:
                report.error(where, f"{s['name']!r} does not appear in the article")
            if s["name"] in seen_names:
                report.error(where, f"{s['name']!r} is listed twice (or both delegate and skipped)")
            seen_names.add(s["name"])
        if s["reason"] not in REASONS:
            report.error(where, f"unknown reason {s['reason']!r}")
    return stats


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    report = Report()
    articles = sorted(p for p in folder.glob("*.txt"))
    goldens = sorted(folder.glob("*.golden.json"))
    golden_stems = {g.name[: -len(".golden.json")] for g in goldens}
    for stem in sorted(golden_stems - {a.stem for a in articles}):
        report.error(stem, "golden file without an article")
    total = {"articles": 0, "delegates": 0, "skipped": 0, "proposals": 0, "passages": 0}
    for txt in articles:
        golden = folder / f"{txt.stem}.golden.json"
        if not golden.exists():
            report.error(txt.stem, "article without a golden file")
            continue
        stats = check_pair(txt, golden, report)
        total["articles"] += 1
        for k, v in stats.items():
            total[k] += v
        print(
            f"{txt.stem:40s} {len(txt.read_text(encoding='utf-8', errors='replace')):5d} chars  "
            f"{stats['delegates']:2d} delegates  {stats['proposals']:2d} proposals  "
            f"{stats['passages']:3d} passages  {stats['skipped']:2d} skipped"
        )
    for n in report.notes:
        print("note:", n)
    for e in report.errors:
        print("ERROR:", e)
    print(
        f"{total['articles']} articles, {total['delegates']} delegates, {total['proposals']} proposals, "
        f"{total['passages']} passages, {total['skipped']} skipped people: "
        + ("FAILED" if report.errors else "ok")
    )
    if total["articles"] < 10:
        print("ERROR: fewer than ten articles")
        return 1
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
