"""Writes BENCHMARKS.md from the results of scripts/bench.py (one JSON file, every size of the run).

Usage: bench_report.py RESULTS.json BENCHMARKS.md. The section "## Notes" of an existing BENCHMARKS.md (and
what follows it) is written by hand and kept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

NOTES = "## Notes"
# (group, name prefix) -> p95 target in ms, for the rows the issue sets one (at a million proposals).
TARGETS = [
    ("search", "API", 50),
    ("search", "HTML", 150),
    ("list", "", 150),
    ("page", "theme page", 100),
    ("page", "delegate page", 100),
    ("page", "region page", 100),
    ("admin", "", 300),
]


def target(row: dict) -> int | None:
    for group, prefix, ms in TARGETS:
        if row["group"] == group and row["name"].startswith(prefix):
            return ms
    return None


def machine() -> str:
    cores = os.cpu_count()
    memory = next(
        (
            int(line.split()[1]) / 2**20
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    return f"{cores} cores ({cpu}), {memory:.0f} GB memory"


def fmt(ms: float | None) -> str:
    return "—" if ms is None else f"{ms:,.1f}" if ms < 100 else f"{ms:,.0f}"


def size_section(size: str, r: dict) -> list[str]:
    load = f"load average {r['load_before'][0]:.2f} before, {r['load_after'][0]:.2f} after"
    out = [f"## {int(size):,} synthetic proposals ({r['proposals']:,} in the database; {load})", ""]
    seed = r.get("seed") or {}
    if seed:
        out += [
            f"Generator: {seed['made']:,} proposals in {seed['seconds']} s, **{seed['rate']:,}/s** "
            f"(rows {seed['rows_s']} s, index builds {seed['indexes_s']} s).",
            "",
        ]
    out += [
        "| group | request | n | median ms | p95 ms | max ms | queries | status | p95 target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in r["rows"]:
        t = target(row)
        verdict = "" if t is None else f"≤ {t} {'✅' if row['p95'] <= t else '❌'}"
        out.append(
            f"| {row['group']} | {row['name']} | {row['n']} | {fmt(row['median'])} | {fmt(row['p95'])} | {fmt(row['max'])} "
            f"| {row['queries']} | {row['status']} | {verdict} |"
        )
    out += [
        "",
        "Search against a naive `icontains` scan of the text (count + newest 20, once, same run):",
        "",
    ]
    out += ["| query | naive scan ms | matches | API median ms | speed-up |", "|---|---:|---:|---:|---:|"]
    for s in r["searches"]:
        api = s["rows"][0]["median"]
        out.append(
            f"| {s['label']}: `{s['term']}` | {fmt(s['naive']['ms'])} | {s['naive']['count']:,} | {fmt(api)} "
            f"| {s['naive']['ms'] / api:,.1f}× |"
        )
    livez = [t["rps"] for t in r["throughput"] if t["path"] == "/livez"]
    ceiling = sum(livez) / len(livez) or 1
    out += [
        "",
        "Throughput, 50 concurrent clients (`hey`), same gunicorn, `/livez` before and after the rows:",
        "",
    ]
    out += [
        f"| path | requests/s | p95 ms | max ms | seconds | share of /livez ({ceiling:,.0f}/s, the mean) "
        "| status codes |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for t in r["throughput"]:
        out.append(
            f"| `{t['path']}` | {t['rps']:,.0f} | {fmt(t['p95'])} | {fmt(t.get('max'))} | {fmt(t.get('seconds'))} "
            f"| {100 * t['rps'] / ceiling:.0f}% | {t['codes']} |"
        )
    bulk = r.get("export_bulk") or {}
    pss = ", ".join(f"{p:.0f}" for p in r.get("pss_mb", []))
    out += [
        "",
        f"- `export_bulk`: {fmt(bulk.get('seconds'))} s ({fmt(bulk.get('cpu_seconds'))} s of CPU, workers "
        f"included), peak memory {fmt(bulk.get('peak_mb'))} MB (all its processes together), "
        f"{fmt(bulk.get('mb'))} MB written (exit {bulk.get('rc')})",
        f"- gunicorn workers' PSS after the run: {pss or '—'} MB",
        f"- jieba + OpenCC start-up (`search.warm_up()`): {fmt(r.get('jieba_ms'))} ms",
        "",
    ]
    return out


def plans_section(size: str, r: dict) -> list[str]:
    out = [
        f"## Query plans at {int(size):,} proposals",
        "",
        "EXPLAIN (ANALYZE, BUFFERS), written by the bench.",
        "",
    ]
    for p in r.get("plans", []):
        out += [
            f"<details><summary>{p['label']}</summary>",
            "",
            "```",
            p["plan"],
            "```",
            "",
            "</details>",
            "",
        ]
    return out


def main(results: Path, target_file: Path) -> None:
    data = json.loads(results.read_text())
    sizes = sorted(data["sizes"], key=int)
    commit = (
        os.environ.get("BENCH_COMMIT")
        or subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
    )
    notes = ""
    if target_file.exists():
        text = target_file.read_text()
        notes = text[text.index(NOTES) :] if NOTES in text else ""
    out = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (scripts/bench.sh) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit `{commit}`.",
        f"Machine: {machine()}, PostgreSQL {data.get('postgres', '?')}. gunicorn {data.get('workers', '?')} workers "
        "on 127.0.0.1, persistent connections, API throttle raised; every row after 3 warm-up requests.",
        "The load average is printed beside each size: other processes on the machine slow every number.",
        "",
    ]
    for size in sizes:
        out += size_section(size, data["sizes"][size])
    out += plans_section(sizes[-1], data["sizes"][sizes[-1]])
    if notes:
        out += [notes.rstrip(), ""]
    target_file.write_text("\n".join(out))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
