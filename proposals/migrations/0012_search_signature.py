"""Each proposal's pair signature (proposals.pair_signature), which the newest-first index of published
proposals carries beside the filter keys (migration 0013, PostgreSQL).

A walk of that index with filter keys (proposals.recency) read every row with the keys to test its text:
1,612 rows at about 9 µs each for the newest 200 matches of "智能网联新能源汽车" with a theme, a body and a
region at a million rows. With the signature in the index, a row whose bits do not cover the query's is
passed over in the index; 204 rows are read.

The existing rows get their signature from their ``search_plain`` here, in batches (11 minutes for a
million rows on a 2-core machine, most of it PostgreSQL writing each row anew). VACUUM the table
afterwards: until then an index-only scan reads the rows too.
"""

from django.db import migrations

from proposals.pair_signature import SignatureField, signature

BATCH = 2000


def fill(apps, schema_editor):
    """Every proposal's signature from its search text. Derived data: no version, no updated_at, no history.
    On PostgreSQL each batch is one UPDATE from two arrays (``bulk_update``'s CASE, a branch per row, took
    about a second a batch of 2,000)."""
    connection = schema_editor.connection
    rows = apps.get_model("proposals", "Proposal").objects.using(connection.alias).order_by("pk")
    after = 0
    while batch := list(rows.filter(pk__gt=after).values_list("pk", "search_plain")[:BATCH]):
        ids, signatures = [pk for pk, _ in batch], [signature(plain) for _, plain in batch]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE proposals_proposal p SET search_signature = v.s::bit(1024) "
                    "FROM unnest(%s::bigint[], %s::text[]) AS v(id, s) WHERE p.id = v.id",
                    [ids, signatures],
                )
        else:
            rows.model.objects.using(connection.alias).bulk_update(
                [rows.model(pk=pk, search_signature=s) for pk, s in zip(ids, signatures, strict=True)],
                ["search_signature"],
            )
        after = ids[-1]


class Migration(migrations.Migration):
    dependencies = [("proposals", "0011_search_columns")]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="search_signature",
            field=SignatureField(verbose_name="检索签名"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
