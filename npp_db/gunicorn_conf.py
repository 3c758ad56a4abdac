"""gunicorn settings: ``gunicorn -c npp_db/gunicorn_conf.py npp_db.wsgi``.

The app is loaded once in the master before the workers fork (``preload_app``), and the search
dictionaries (jieba, OpenCC) with it, so that the workers share those pages instead of each loading its
own copy on its first search. Workers and the bind address come from GUNICORN_WORKERS and GUNICORN_BIND.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
preload_app = True
accesslog = None


def when_ready(server):  # in the master, after the app is loaded and before any worker forks
    from proposals.search import warm_up

    warm_up()
