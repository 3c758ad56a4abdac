"""The load and fault runs of `make loadtest` (see scripts/loadtest.sh), written into BENCHMARKS.md.

Load: ``hey`` with N concurrent clients for S seconds on each URL (one of every public page type and every
API list): requests per second, p50/p95/p99 latency and the status codes. Fault: N client threads cycle
through the URLs for 30 s; PostgreSQL is stopped at 10 s and started again at 20 s; what the clients got,
second by second, and when the first 200 came back after the restart.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

BEGIN, END = "<!-- loadtest:begin -->", "<!-- loadtest:end -->"


def fetch_json(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return json.load(response)


def targets(base: str) -> list[str]:
    proposal = fetch_json(base, "/api/v1/proposals/?page_size=1")["results"][0]["id"]
    delegate = fetch_json(base, "/api/v1/delegates/?page_size=1")["results"][0]["id"]
    theme = fetch_json(base, "/api/v1/themes/")["results"][0]["slug"]
    region = fetch_json(base, "/api/v1/regions/")["results"][0]["slug"]
    organisation = fetch_json(base, "/api/v1/organisations/")["results"][0]["id"]
    article = fetch_json(base, "/api/v1/articles/?page_size=1")["results"][0]["id"]
    search = "/?q=%E6%95%99%E8%82%B2"  # 教育
    return [
        "/healthz",
        "/",
        search,
        f"/proposals/{proposal}/",
        "/themes/",
        f"/themes/{theme}/",
        "/delegates/",
        f"/delegates/{delegate}/",
        "/regions/",
        f"/regions/{region}/",
        f"/organisations/{organisation}/",
        "/articles/",
        f"/articles/{article}/",
        "/stats/",
        "/api/v1/proposals/",
        "/api/v1/proposals/?q=%E6%95%99%E8%82%B2",
        "/api/v1/proposals/?format=csv",
        "/api/v1/delegates/",
        "/api/v1/themes/",
        "/api/v1/regions/",
        "/api/v1/organisations/",
        "/api/v1/articles/",
        f"/api/v1/proposals/{proposal}/",
        "/api/v1/bulk/",
    ]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def hey(base: str, path: str, seconds: int, clients: int) -> dict:
    out = subprocess.run(
        ["hey", "-z", f"{seconds}s", "-c", str(clients), "-t", "60", "-o", "csv", base + path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    latencies = [float(r["response-time"]) * 1000 for r in rows]
    statuses = Counter(r["status-code"] for r in rows)
    return {
        "path": path,
        "requests": len(rows),
        "rps": len(rows) / seconds,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "statuses": dict(statuses),
        "errors": sum(n for s, n in statuses.items() if not s.startswith("2")),
    }


def fault_run(base: str, paths: list[str], clients: int, stop_cmd: str, start_cmd: str) -> dict:
    events: list[tuple[float, str, str]] = []  # (seconds since start, path, status or error)
    lock = threading.Lock()
    t0 = time.monotonic()
    deadline = t0 + 30
    marks: dict[str, float] = {}

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < deadline:
            path = paths[i % len(paths)]
            i += 1
            try:
                with urllib.request.urlopen(base + path, timeout=15) as response:
                    response.read()
                    status = str(response.status)
            except urllib.error.HTTPError as exc:
                exc.read()
                status = f"{exc.code}" + (
                    " json" if "json" in (exc.headers.get("Content-Type") or "") else ""
                )
            except (OSError, urllib.error.URLError) as exc:
                status = f"error {type(exc).__name__}"
            with lock:
                events.append((time.monotonic() - t0, path, status))

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(10)
    marks["stop"] = time.monotonic() - t0
    subprocess.run(stop_cmd, shell=True, check=True, capture_output=True)
    marks["stopped"] = time.monotonic() - t0
    time.sleep(max(0.0, 20 - (time.monotonic() - t0)))
    marks["start"] = time.monotonic() - t0
    subprocess.run(start_cmd, shell=True, check=True, capture_output=True)
    marks["started"] = time.monotonic() - t0
    for thread in threads:
        thread.join(timeout=60)
    by_phase: dict[str, Counter] = {k: Counter() for k in ("before", "stopping", "down", "starting", "after")}
    for at, _path, status in events:
        if at < marks["stop"]:
            phase = "before"
        elif at < marks["stopped"]:
            phase = "stopping"
        elif at < marks["start"]:
            phase = "down"
        elif at < marks["started"]:
            phase = "starting"
        else:
            phase = "after"
        by_phase[phase][status] += 1
    served_while_down = Counter(
        path for at, path, status in events if marks["stopped"] <= at < marks["start"] and status == "200"
    )
    healthy_again = [
        at for at, path, status in events if at >= marks["started"] and status == "200" and path != "/healthz"
    ]
    last_failure = max(
        (at for at, _p, status in events if status != "200" and at >= marks["stop"]), default=float("nan")
    )
    return {
        "marks": marks,
        "phases": {k: dict(v) for k, v in by_phase.items()},
        "served_while_down": dict(served_while_down),
        "first_200_after_start": min(healthy_again, default=float("nan")),
        "last_non_200": last_failure,
        "requests": len(events),
    }


def report(results: list[dict], fault: dict, args) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    lines = [
        BEGIN,
        "## Load (make loadtest)",
        "",
        f"{when}, commit {commit}, {args.workers_info}; gunicorn (npp_db/gunicorn_conf.py: gthread workers), "
        f"PostgreSQL and Redis on the same machine, DEBUG off, the public rate limits raised. {args.clients} "
        f"concurrent clients (hey) for {args.seconds} s per URL, on the curated corpus. Latencies in ms. "
        "Speed is issue 10's (the tables above); what this table checks is that nothing fails: the "
        "errors column counts every answer that is not 2xx.",
        "",
        "| URL | requests | req/s | p50 | p95 | p99 | status codes | errors |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
        lines.append(
            f"| `{r['path']}` | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | "
            f"{r['p99']:.0f} | {codes} | {r['errors']} |"
        )
    total_errors = sum(r["errors"] for r in results)
    lines += ["", f"Errors in all: **{total_errors}** of {sum(r['requests'] for r in results)} requests.", ""]
    m = fault["marks"]
    lines += [
        "## Fault: PostgreSQL stopped for ten seconds mid-load",
        "",
        f"{args.clients} client threads cycling through the same URLs for 30 s; PostgreSQL stopped at "
        f"{m['stop']:.1f} s (down at {m['stopped']:.1f} s) and started at {m['start']:.1f} s (accepting "
        f"connections at {m['started']:.1f} s). What the clients got ({fault['requests']} requests):",
        "",
        "| phase | answers |",
        "|---|---|",
    ]
    for phase, label in (
        ("before", "before the stop"),
        ("stopping", "while PostgreSQL shut down (fast mode)"),
        ("down", "while stopped"),
        ("starting", "while PostgreSQL started"),
        ("after", "after it accepted connections"),
    ):
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(fault["phases"].get(phase, {}).items())) or "none"
        lines.append(f"| {label} | {answers} |")
    lines += [
        "",
        f"First 200 (any URL but /healthz) after the restart: {fault['first_200_after_start']:.2f} s "
        f"(that is {fault['first_200_after_start'] - m['started']:.2f} s after PostgreSQL accepted connections "
        f"again); last answer other than 200: {fault['last_non_200']:.2f} s. While the database was down, "
        'the API answered a JSON 503 ("503 json"), the pages a Chinese 503 page, /healthz a JSON 503, all '
        "with Retry-After. 200s while stopped came from answers that need no database: "
        + (
            ", ".join(f"`{p}` {n}" for p, n in sorted(fault.get("served_while_down", {}).items()))
            or "not recorded"
        )
        + ".",
        END,
    ]
    return "\n".join(lines) + "\n"


def write(path: Path, section: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END) + "\n?", lambda _m: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("output", type=Path)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers-info", default="")
    args = parser.parse_args()
    for _ in range(150):
        try:
            fetch_json(args.base, "/healthz")
            break
        except OSError:
            time.sleep(0.2)
    paths = targets(args.base)
    results = []
    for path in paths:
        result = hey(args.base, path, args.seconds, args.clients)
        print(
            f"{path}: {result['rps']:.1f} req/s p50 {result['p50']:.0f} p95 {result['p95']:.0f} "
            f"p99 {result['p99']:.0f} ms {result['statuses']}",
            flush=True,
        )
        results.append(result)
    fault = fault_run(
        args.base, paths, args.clients, os.environ["LOADTEST_PG_STOP"], os.environ["LOADTEST_PG_START"]
    )
    print(json.dumps(fault, indent=1), flush=True)
    write(args.output, report(results, fault, args))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
