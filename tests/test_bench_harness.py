"""`make bench` end to end at a tiny size: a throwaway PostgreSQL, a few hundred synthetic proposals,
gunicorn, every row of the driver, a second of load per throughput row, BENCHMARKS.md written.

Runs once, in the PostgreSQL pass of the suite (it starts its own server), and only where the bench's
tools are installed (scripts/bench-deps.sh). No duration is asserted.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _tools_missing() -> bool:
    found = subprocess.run([str(ROOT / "scripts" / "find-pg-bin.sh")], capture_output=True).returncode == 0
    return not (
        found and shutil.which("hey") and shutil.which("redis-server") and Path("/usr/bin/time").exists()
    )


@pytest.mark.skipif(_tools_missing(), reason="bench tools missing (scripts/bench-deps.sh)")
def test_bench_writes_every_row_for_a_small_database(tmp_path, db):
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass only (it starts its own server)")
    output, results = tmp_path / "BENCHMARKS.md", tmp_path / "results.json"
    env = {
        **os.environ,
        "BENCH_REPEAT": "2",
        "BENCH_LOAD_SECONDS": "1",
        "BENCH_OUTPUT": str(output),
        "BENCH_RESULTS": str(results),
    }
    done = subprocess.run(
        [str(ROOT / "scripts" / "bench.sh"), "200"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    data = json.loads(results.read_text())["sizes"]["200"]
    assert data["proposals"] >= 200
    assert {row["group"] for row in data["rows"]} == {"search", "list", "page", "api", "admin"}
    assert all(row["status"] == 200 for row in data["rows"]), [r for r in data["rows"] if r["status"] != 200]
    assert all(row["queries"].replace("/", "").isdigit() for row in data["rows"])
    paths = [t["path"] for t in data["throughput"]]
    assert paths[0] == paths[-1] == "/livez" and all(t["rps"] > 0 for t in data["throughput"])
    assert all(t["max"] > 0 and t["seconds"] >= 1 for t in data["throughput"])
    assert data["export_bulk"]["rc"] == 0 and data["export_bulk"]["peak_mb"] > 0
    assert data["seed"]["made"] == 200
    assert data["plans"] and all("actual time" in p["plan"] for p in data["plans"])
    text = output.read_text()
    assert "## 200 synthetic proposals" in text and "Query plans" in text
