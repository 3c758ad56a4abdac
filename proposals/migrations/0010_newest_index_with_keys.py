"""The newest-first index of published proposals carries their filter keys (PostgreSQL only).

A search walked newest first (proposals.recency) tests each row's filter keys before its text; with
``filter_vector`` in the index (INCLUDE), an index-only scan tests them without reading the row, and only
the rows that pass are read for the search: at a million rows, a walk of 23,000 rows of which 2,100 pass
the keys went from 65 to 45 ms.
"""

from django.db import migrations

INDEX = "proposal_published_newest"
WITH_KEYS = (
    f"CREATE INDEX {INDEX} ON proposals_proposal (date DESC NULLS LAST, id DESC) INCLUDE (filter_vector) "
    "WHERE status = 'published'"
)
WITHOUT = f"CREATE INDEX {INDEX} ON proposals_proposal (date DESC NULLS LAST, id DESC) WHERE status = 'published'"


def _replace(definition: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
            schema_editor.execute(definition)

    return run


class Migration(migrations.Migration):
    dependencies = [("proposals", "0009_admin_order_index")]

    operations = [migrations.RunPython(_replace(WITH_KEYS), _replace(WITHOUT), elidable=False)]
