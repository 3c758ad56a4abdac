"""The search columns as searches read them (PostgreSQL only): the filter keys in the search's tsvector, and
the simplified text in the row.

The search's tsvector holds the filter keys too. A search narrowed by filters read the search's GIN index
and the filter keys' GIN index and intersected the two bitmaps: the keys' bitmap alone (every row with
theme, body and region) took 24 ms at a million rows, for a search with 408 matches. With the keys among
the search's lexemes, the search and its filters are one tsquery on one index (proposals.keyed_search),
and GIN's scan skips through the common keys' posting lists to the rare word's entries: 30 ms became 8 ms.
The keys cost the index about 24 MB (the keys' own index is 27 MB) and no search can match them: a key
holds a colon, a search token never does (proposals.search). ``filter_vector`` and its index stay, for the
lists without a search.

``search_plain`` is kept in the row (storage MAIN) rather than moved to the TOAST table: every verbatim test
of a search (``LIKE '%数字经济%'``) and every rank reads it, and a value moved out costs a lookup in the
TOAST table's index and its chunk besides the row (7.5 pages a row tested instead of 4). A walk testing
1,612 rows took 23 ms, 14 ms with the text in the row. The proposal's ``text`` (read only for the 20 rows of
a page) moves out in its place: the row stays about the same size.

PostgreSQL 15 cannot change a generated column's expression: the column is dropped and added again, a
rewrite of the table (about 6 minutes at a million proposals on a 2-core machine) that also stores every
row's ``search_plain`` anew, in the row; then the search's index is rebuilt.
"""

from django.db import migrations

INDEX = "proposal_search_vector_gin"
TOKENS = "string_to_array(btrim(search_tokens), ' ')"
KEYS = "string_to_array(btrim(filter_keys), ' ')"
WITH_KEYS = f"array_to_tsvector({TOKENS} || {KEYS})"
WITHOUT = f"array_to_tsvector({TOKENS})"


def _columns(expression: str, plain_storage: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"ALTER TABLE proposals_proposal ALTER COLUMN search_plain SET STORAGE {plain_storage}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute("ALTER TABLE proposals_proposal DROP COLUMN IF EXISTS search_vector")
        schema_editor.execute(
            f"ALTER TABLE proposals_proposal ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {INDEX} ON proposals_proposal USING gin (search_vector)")
        schema_editor.execute("ALTER TABLE proposals_proposal ALTER COLUMN search_vector SET STATISTICS 1000")

    return run


class Migration(migrations.Migration):
    dependencies = [("proposals", "0010_newest_index_with_keys")]

    operations = [
        migrations.RunPython(_columns(WITH_KEYS, "MAIN"), _columns(WITHOUT, "EXTENDED"), elidable=False)
    ]
