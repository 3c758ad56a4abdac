"""gunicorn settings (``make serve``; production: ``gunicorn -c npp_db/gunicorn_conf.py npp_db.wsgi``).

Chosen for a read-mostly site whose requests are short and partly CPU-bound (templates, jieba):
- ``gthread`` workers, GUNICORN_WORKERS processes (default: 2 per core) of GUNICORN_THREADS threads
  (default 4): a slow client or a slow query holds a thread, not a whole process; the processes use the
  cores. Each thread keeps its own database connection, and so does each of a worker's SIDE_READS pool
  threads (proposals.side_reads): workers × (threads + SIDE_READS) connections per app server (keep it
  under PostgreSQL's max_connections divided by the number of app servers).
- ``timeout`` 30 s: a worker silent for longer is killed and replaced (a stuck request never holds it
  forever); ``graceful_timeout`` 30 s for requests in flight on a restart; ``keepalive`` 5 s behind a
  load balancer.
- ``max_requests`` GUNICORN_MAX_REQUESTS (default 100,000, ± 10%): a worker is replaced now and then, so that
  memory could never creep. It does not: a worker's RSS stayed at 219-221 MB over 28,000 mixed requests at
  1M proposals. It is not lower because a replacement costs more than its start: a worker's keep-alive
  connections close with it, their clients reconnect to the workers still up, and stay there. Measured
  with 5,000: after the first replacement under 50 keep-alive clients, one worker served every request,
  the other none, and the API list's throughput fell from about 800 to about 550 requests a second.
- ``preload_app``: the app and the search dictionaries (jieba, OpenCC) are loaded once in the master before
  the workers fork, so that the workers share those pages and the first search is not slow.
- Database connections: DB_CONN_MAX_AGE (60 in ``make serve``) keeps each thread's connection, and
  CONN_HEALTH_CHECKS (always on, settings.py) replaces one broken by a database restart before it is used.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", str(max(2, 2 * multiprocessing.cpu_count()))))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
backlog = 2048
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
preload_app = True
# Behind a proxy on another host, list its address in FORWARDED_ALLOW_IPS (gunicorn's own variable).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"


def when_ready(server):
    """In the master, after the app is loaded and before any worker forks: load the search dictionaries,
    then move every object made so far (the app, the dictionaries: about 100,000 tracked objects) out of
    the garbage collector's reach with ``gc.freeze()``, as the gc module's documentation advises before a
    fork: a worker's full collection no longer walks them (35 ms a time, a pause in whatever request
    triggers it), and does not write to their pages (which the workers then keep sharing)."""
    import gc

    from proposals.search import warm_up

    warm_up()
    gc.collect()
    gc.freeze()
