"""The benchmark driver: times the site, the API and the admin served by gunicorn, for one database size.

Usage (scripts/bench.sh runs it): bench.py URL RESULTS.json [--size N] [--repeat 30] [--load-seconds 10]
Every row: median, p95 and max over ``--repeat`` sequential requests after three warm-up requests (a row
whose first request takes over 2 s: three requests after one warm-up, its ``n`` says so), and the
number of database queries (the X-DB-Queries header of BENCH=1). Beside each search, once, the same search
as a naive ``icontains`` scan. Throughput rows: ``hey`` with 50 clients, as a ratio to /livez (no database
query), measured before and after them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npp_db.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from proposals.models import Authorship, Delegate, Membership, Proposal, Region  # noqa: E402
from scripts.bench_plans import query_plans  # noqa: E402

# Search terms of the suite: (label, query). Targets: see TARGETS in bench_report.py.
SEARCHES = [
    ("common", "人工智能"),
    ("common", "新质生产力"),
    ("rare", "耐心资本"),
    ("rare", "氢能"),
    ("two words", "人工智能 制造业"),
    ("phrase", '"智能网联新能源汽车"'),
    ("traditional", "數字經濟"),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class Driver:
    def __init__(self, base: str, repeat: int) -> None:
        self.base = base.rstrip("/")
        self.repeat = repeat
        self.http = requests.Session()  # keep-alive, like a browser
        self.rows: list[dict] = []

    def time(self, group: str, name: str, path: str, *, repeat: int | None = None, session=None) -> dict:
        http = session or self.http
        url = self.base + path
        started = time.perf_counter()
        http.get(url)
        slow = time.perf_counter() - started > 2  # seconds a request: three more say enough about it
        if not slow:
            http.get(url)
            http.get(url)
        times, queries = [], set()
        response = None
        for _ in range(3 if slow else repeat or self.repeat):
            started = time.perf_counter()
            response = http.get(url)
            times.append((time.perf_counter() - started) * 1000)
            queries.add(response.headers.get("X-DB-Queries", "?"))
        row = {
            "group": group,
            "name": name,
            "path": path,
            "n": len(times),
            "median": statistics.median(times),
            "p95": percentile(times, 0.95),
            "max": max(times),
            "queries": "/".join(sorted(queries)),
            "status": response.status_code,
            "kb": len(response.content) / 1024,
        }
        self.rows.append(row)
        print(
            f"{group:10} {name:44} {row['median']:8.1f} {row['p95']:8.1f} {row['max']:8.1f} ms  q={row['queries']:>3}  {row['status']}",
            flush=True,
        )
        return row


def naive(term: str) -> dict:
    """The search as a plain icontains scan of the proposals' text: count and the newest 20."""
    words = [w.strip('"') for w in term.split()]
    qs = Proposal.objects.published()
    for word in words:
        qs = qs.filter(text__icontains=word)
    started = time.perf_counter()
    count = qs.count()
    list(qs.order_by("-date", "-id").values_list("pk", flat=True)[:20])
    return {"term": term, "count": count, "ms": (time.perf_counter() - started) * 1000}


def choose() -> dict:
    """The values the rows use, taken from the data: the biggest theme, province, a delegate with hundreds."""
    through = Proposal.themes.through
    themes = through.objects.values("theme__slug").annotate(n=Count("id")).order_by("-n")
    provinces = (
        Membership.objects.filter(region__parent__isnull=True, region__isnull=False)
        .values("region__slug")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    leads = list(Authorship.objects.values("delegate_id").annotate(n=Count("id")).order_by("-n")[:400])
    hundreds = (
        min(leads, key=lambda r: abs(r["n"] - 300)) if leads else {"delegate_id": Delegate.objects.first().pk}
    )
    return {
        "theme": themes[0]["theme__slug"],
        "rare_theme": themes.reverse()[0]["theme__slug"],
        "region": provinces[0]["region__slug"] if provinces else Region.objects.first().slug,
        "delegate": hundreds["delegate_id"],
        "delegate_n": hundreds.get("n", 0),
        "proposal": Proposal.objects.published().order_by("-id").values_list("pk", flat=True)[0],
    }


def admin_session(base: str) -> requests.Session:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    if not user_model.objects.filter(username="bench").exists():
        user_model.objects.create_superuser("bench", "bench@example.org", "bench-password")
    session = requests.Session()
    page = session.get(f"{base}/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    session.post(
        f"{base}/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": "bench", "password": "bench-password"},
        headers={"Referer": f"{base}/admin/login/"},
    )
    return session


def throughput(base: str, path: str, seconds: int) -> dict:
    out = subprocess.run(
        ["hey", "-z", f"{seconds}s", "-c", "50", base + path], capture_output=True, text=True, check=False
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p95 = re.search(r"95%+ in ([\d.]+) secs", out)
    slowest = re.search(r"Slowest:\s+([\d.]+) secs", out)
    total = re.search(r"Total:\s+([\d.]+) secs", out)
    codes = dict(re.findall(r"\[(\d{3})\]\s+(\d+) responses", out))
    return {
        "path": path,
        "rps": float(rps.group(1)) if rps else 0.0,
        "p95": float(p95.group(1)) * 1000 if p95 else None,
        "max": float(slowest.group(1)) * 1000 if slowest else None,
        "seconds": float(total.group(1)) if total else None,  # over the run's length: requests stalled
        "codes": codes,
    }


def worker_pss(master: int) -> list[float]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    out = []
    for pid in children:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        out.append(int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1)) / 1024)
    return out


def _tree_rss_kb(root: int) -> int:
    """The resident memory of a process and all its descendants (export_bulk's workers), summed."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    total, tree = 0, [root]
    while tree:
        pid = tree.pop()
        tree.extend(parents.get(pid, []))
        try:
            found = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
        except OSError:
            continue
        total += int(found.group(1)) if found else 0
    return total


def export_bulk() -> dict:
    """manage.py export_bulk into a temporary folder: wall time, CPU time (user + system, workers
    included) and peak memory of the process and its workers together (sampled every 0.1 s)."""
    import resource
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "manage.py", "export_bulk"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "BULK_EXPORT_DIR": folder},
        )
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss_kb(process.pid))
            time.sleep(0.1)
        seconds = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        size = sum(f.stat().st_size for f in Path(folder).iterdir()) / 2**20
    return {
        "seconds": seconds,
        "cpu_seconds": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_mb": peak / 1024,
        "mb": size,
        "rc": process.returncode,
    }


def jieba_startup() -> float:
    code = (
        "import time, django; django.setup(); from proposals.search import warm_up; "
        "t = time.perf_counter(); warm_up(); print(time.perf_counter() - t)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1]) * 1000


def seed_rate(log: Path | None) -> dict:
    if not log or not log.exists():
        return {}
    found = re.search(
        r"created (\d+) synthetic proposals in (\d+)s \((\d+)/s; rows (\d+)s, indexes (\d+)s", log.read_text()
    )
    if not found:
        return {}
    made, total, rate, rows, indexes = map(int, found.groups())
    return {"made": made, "seconds": total, "rate": rate, "rows_s": rows, "indexes_s": indexes}


def run(base: str, results: Path, size: int, repeat: int, load_seconds: int, seed_log: Path | None) -> None:
    load_before = os.getloadavg()
    d = Driver(base, repeat)
    v = choose()
    filters = urlencode({"theme": v["theme"], "body": "npc", "region": v["region"]})
    print(f"proposals: {Proposal.objects.count()}; chosen: {v}", flush=True)
    searches = []
    for label, term in SEARCHES:
        q = quote(term)
        api = d.time("search", f"API {label}: {term}", f"/api/v1/proposals/?q={q}")
        api_f = d.time("search", f"API {label}: {term} + filters", f"/api/v1/proposals/?q={q}&{filters}")
        html = d.time("search", f"HTML {label}: {term}", f"/?q={q}")
        html_f = d.time("search", f"HTML {label}: {term} + filters", f"/?q={q}&{filters}")
        searches.append(
            {"term": term, "label": label, "naive": naive(term), "rows": [api, api_f, html, html_f]}
        )
    d.time("list", "/ (home, facets)", "/")
    d.time("list", "/ theme", f"/?theme={v['theme']}")
    d.time("list", "/ theme+body+region", f"/?{filters}")
    d.time("list", "/ rare theme", f"/?theme={v['rare_theme']}")
    d.time("list", "/ ordered oldest first", "/?ordering=date")
    d.time("list", "/ page 50", "/?page=50")
    d.time("list", "/ page 500 (deep)", "/?page=500")
    d.time("page", "theme page", f"/themes/{v['theme']}/")
    d.time("page", f"delegate page ({v['delegate_n']} proposals)", f"/delegates/{v['delegate']}/")
    d.time("page", "region page", f"/regions/{v['region']}/")
    d.time("page", "proposal page", f"/proposals/{v['proposal']}/")
    d.time("page", "/stats/", "/stats/")
    d.time("page", "/themes/", "/themes/")
    d.time("api", "proposals", "/api/v1/proposals/")
    d.time("api", "proposals theme", f"/api/v1/proposals/?theme={v['theme']}")
    d.time("api", "proposals theme+body+region", f"/api/v1/proposals/?{filters}")
    d.time("api", "proposals page_size=500", "/api/v1/proposals/?page_size=500", repeat=10)
    d.time("api", "delegates", "/api/v1/delegates/")
    d.time("api", "themes", "/api/v1/themes/")
    d.time("api", "regions", "/api/v1/regions/")
    d.time("api", "organisations", "/api/v1/organisations/")
    admin = admin_session(d.base)
    d.time("admin", "proposals", "/admin/proposals/proposal/", session=admin)
    d.time(
        "admin",
        "proposals filtered",
        "/admin/proposals/proposal/?kind__exact=proposal&year__exact=2024",
        session=admin,
    )
    d.time("admin", "proposals searched", f"/admin/proposals/proposal/?q={quote('人工智能')}", session=admin)
    d.time(
        "admin", "proposal change page", f"/admin/proposals/proposal/{v['proposal']}/change/", session=admin
    )
    d.time("admin", "delegates", "/admin/proposals/delegate/", session=admin)
    d.time("admin", "delegates filtered", "/admin/proposals/delegate/?status__exact=published", session=admin)
    d.time("admin", "delegates searched", f"/admin/proposals/delegate/?q={quote('王')}", session=admin)
    # The ceiling (/livez) before and after the rows: this machine's speed drifts by a third within minutes.
    throughputs = [throughput(d.base, "/livez", load_seconds)]
    for path in ["/", "/api/v1/proposals/", f"/api/v1/proposals/?theme={v['theme']}", "/livez"]:
        throughputs.append(throughput(d.base, path, load_seconds))
        print(f"throughput {path}: {throughputs[-1]}", flush=True)
    master = int(os.environ.get("BENCH_GUNICORN_PID", "0"))
    result = {
        "size": size,
        "proposals": Proposal.objects.count(),
        "published": Proposal.objects.published().count(),
        "chosen": v,
        "rows": d.rows,
        "searches": searches,
        "throughput": throughputs,
        "pss_mb": worker_pss(master) if master else [],
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "plans": query_plans(v) if connection.vendor == "postgresql" else [],
        "export_bulk": export_bulk(),
        "jieba_ms": jieba_startup(),
        "seed": seed_rate(seed_log),
    }
    data = json.loads(results.read_text()) if results.exists() else {}
    data.setdefault("sizes", {})[str(size)] = {**data.get("sizes", {}).get(str(size), {}), **result}
    results.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("results", type=Path)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument("--seed-log", type=Path)
    args = parser.parse_args()
    run(args.base, args.results, args.size, args.repeat, args.load_seconds, args.seed_log)


if __name__ == "__main__":
    main()
