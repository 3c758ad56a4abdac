"""What a benchmark run needs from the app: the number of database queries of each response.

Enabled only by ``BENCH=1`` (settings add the middleware): a production server never sends the header.
"""

from __future__ import annotations

import itertools

from django.db import connections


class QueryCountMiddleware:
    """Adds ``X-DB-Queries``: how many database queries the request ran (every database, every query)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # counted from several threads when reads run beside the request (proposals.side_reads): next() on
        # an itertools.count is one step
        ran = itertools.count()

        def counter(execute, sql, params, many, context):
            next(ran)
            return execute(sql, params, many, context)

        wrappers = [c.execute_wrapper(counter) for c in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response["X-DB-Queries"] = str(next(ran))
        return response
