"""Times the public pages and API endpoints that a later issue measures at a million proposals.

Prints, per URL: median and max wall time over several requests, response size and database queries.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npp_db.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from proposals.models import Proposal  # noqa: E402

URLS = [
    "/",
    "/?page=50",
    "/?theme=artificial-intelligence",
    "/?theme=artificial-intelligence&body=npc&region=hubei",
    "/?q=人工智能",
    "/?q=智能网联新能源汽车&ordering=relevance",
    "/?q=网联",
    '/?q="耐心资本"',
    "/themes/",
    "/api/v1/proposals/",
    "/api/v1/proposals/?page_size=500",
    "/api/v1/proposals/?q=人工智能&theme=artificial-intelligence",
    "/api/v1/delegates/",
    "/api/v1/themes/",
]


def main(repeat: int = 5) -> None:
    client = Client()
    print(f"backend: {connection.vendor}; proposals: {Proposal.objects.count()}")
    print(f"{'url':62} {'median ms':>10} {'max ms':>8} {'KB':>6} {'queries':>8} status")
    for url in URLS:
        times = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
        size = len(response.content) / 1024
        print(
            f"{url:62} {statistics.median(times):10.1f} {max(times):8.1f} {size:6.1f} "
            f"{len(queries.captured_queries):8d} {response.status_code}"
        )


if __name__ == "__main__":
    main()
