"""The GIN index behind Chinese search on PostgreSQL (proposals.search.SEARCH_VECTOR_SQL).

SQLite has no GIN: there the search falls back to token matching, and this migration does nothing.
"""

from django.db import migrations

INDEX = "proposal_search_tokens_gin"
# Must stay identical to proposals.search.SEARCH_VECTOR_SQL, or the planner will not use the index.
SEARCH_VECTOR_SQL = "array_to_tsvector(string_to_array(btrim(search_tokens), ' '))"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON proposals_proposal USING gin (({SEARCH_VECTOR_SQL}))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
