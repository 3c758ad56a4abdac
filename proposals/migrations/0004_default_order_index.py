"""A partial index for the default order of the public list and the API, on PostgreSQL only.

ORDER BY date DESC NULLS LAST, id DESC over published proposals. SQLite cannot create an index with
NULLS LAST, and at SQLite's sizes it does not need one.
"""

from django.db import migrations

INDEX = "proposal_published_newest"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON proposals_proposal "
            "(date DESC NULLS LAST, id DESC) WHERE status = 'published'"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("proposals", "0003_updated_index")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
