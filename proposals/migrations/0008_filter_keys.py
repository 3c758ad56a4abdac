"""Filter keys on the proposal row (proposals.filter_keys), computed for existing proposals; on PostgreSQL a
generated tsvector over them, GIN-indexed with a high statistics target, so that filters combine with the
search's index condition and with each other in one index."""

from django.db import migrations, models

EXPRESSION = "array_to_tsvector(string_to_array(btrim(filter_keys), ' '))"


def compute_keys(apps, schema_editor):
    from proposals.filter_keys import refresh_all

    refresh_all(apps=apps)


def add_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE proposals_proposal ADD COLUMN IF NOT EXISTS filter_vector tsvector "
        f"GENERATED ALWAYS AS ({EXPRESSION}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS proposal_filter_vector_gin ON proposals_proposal USING gin (filter_vector)"
    )
    schema_editor.execute("ALTER TABLE proposals_proposal ALTER COLUMN filter_vector SET STATISTICS 1000")


def drop_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS proposal_filter_vector_gin")
    schema_editor.execute("ALTER TABLE proposals_proposal DROP COLUMN IF EXISTS filter_vector")


class Migration(migrations.Migration):
    dependencies = [("proposals", "0007_curation")]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="filter_keys",
            field=models.TextField(blank=True, editable=False, verbose_name="筛选键"),
        ),
        migrations.RunPython(compute_keys, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(add_vector, drop_vector, elidable=False),
    ]
