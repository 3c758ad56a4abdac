"""PostgreSQL: the search tokens as a stored tsvector column, GIN-indexed, with a high statistics target.

The expression index of 0002 made every row the index returned rebuild its tsvector from the token string
(split, sort, de-duplicate: ~100 µs a row), which dominated searches matching many rows. A generated
column computes it once per write; Django never writes it (it is not a model field). The statistics target
makes the planner's estimate of a rare word's matches good enough to avoid walking the whole table in
date order for it. SQLite: nothing to do (its search matches the token string with LIKE).
"""

from django.db import migrations

EXPRESSION = "array_to_tsvector(string_to_array(btrim(search_tokens), ' '))"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE proposals_proposal ADD COLUMN IF NOT EXISTS search_vector tsvector "
        f"GENERATED ALWAYS AS ({EXPRESSION}) STORED"
    )
    schema_editor.execute("DROP INDEX IF EXISTS proposal_search_tokens_gin")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS proposal_search_vector_gin ON proposals_proposal USING gin (search_vector)"
    )
    schema_editor.execute("ALTER TABLE proposals_proposal ALTER COLUMN search_vector SET STATISTICS 1000")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS proposal_search_vector_gin")
    schema_editor.execute("ALTER TABLE proposals_proposal DROP COLUMN IF EXISTS search_vector")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS proposal_search_tokens_gin ON proposals_proposal USING gin (({EXPRESSION}))"
    )


class Migration(migrations.Migration):
    dependencies = [("proposals", "0005_integrity")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
