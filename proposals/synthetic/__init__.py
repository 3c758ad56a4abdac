"""Synthetic data for benchmarks: a realistic, skewed million proposals built from the corpus's sentences.

- ``world``: the records the proposals point at (regions, synthetic articles, delegates), written first;
- ``batches``: pure functions that make one batch of proposal rows (run in a process pool);
- ``load``: writes rows (PostgreSQL ``COPY``, SQLite ``bulk_create``), drops and rebuilds indexes, deletes.

Every record it makes is marked (proposals' session, delegates' note, articles' file name, regions' slug)
so that ``seed_synthetic --delete`` removes exactly what it made. Never run it against production data.
"""

SESSION = "合成数据"
ARTICLE_PREFIX = "synthetic/"
REGION_PREFIX = "syn-"
