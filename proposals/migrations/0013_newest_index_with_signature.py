"""The newest-first index of published proposals carries their pair signature beside their filter keys
(PostgreSQL only; proposals.pair_signature, proposals.recency).

A migration of its own so that it is built after 0012 has committed: built in the same transaction as the
rows 0012 rewrote, it took in their previous versions too (598 MB at a million rows, 300 MB rebuilt after),
and a walk reads its pages.
"""

from django.db import migrations

INDEX = "proposal_published_newest"
ON = f"CREATE INDEX {INDEX} ON proposals_proposal (date DESC NULLS LAST, id DESC)"
WHERE = "WHERE status = 'published'"
WITH_SIGNATURE = f"{ON} INCLUDE (filter_vector, search_signature) {WHERE}"
WITH_KEYS = f"{ON} INCLUDE (filter_vector) {WHERE}"  # migration 0010's


def _replace(definition: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
            schema_editor.execute(definition)

    return run


class Migration(migrations.Migration):
    dependencies = [("proposals", "0012_search_signature")]

    operations = [migrations.RunPython(_replace(WITH_SIGNATURE), _replace(WITH_KEYS), elidable=False)]
