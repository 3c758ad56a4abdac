"""seed_synthetic's fast path: each text converted and segmented once with the same result as the indexer,
COPY text escaped, and (PostgreSQL) the indexes and constraints dropped for a load all back afterwards."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from proposals import search
from proposals.indexing import SEARCH_COLUMNS, proposal_search_columns
from proposals.integrity import find_problems
from proposals.models import Proposal
from proposals.pair_signature import signature
from proposals.synthetic import SESSION
from proposals.synthetic.batches import Columns, copy_text, search_columns

TEXTS = ["關於人工智慧發展的建議", "加快智能网联汽车发展，推动新质生产力。", "王伟 深圳市人工智能协会", ""]


@pytest.mark.parametrize("text", TEXTS)
def test_tokens_and_plain_text_of_converted_text_are_those_of_the_original(text):
    simplified = search.to_simplified(text)
    assert search.index_tokens(simplified, simplified=True) == search.index_tokens(text)
    assert search.plain(simplified, simplified=True) == search.plain(text)


def test_search_columns_are_what_the_indexer_writes():
    title, text, people = TEXTS[0], TEXTS[1], TEXTS[2]
    assert search_columns(title, text, people) == {
        "search_tokens": search.index_tokens(title, "", text, people),
        "search_title": search.plain(title),
        "search_plain": search.plain(title, "", text, people),
        "search_signature": signature(search.plain(title, "", text, people)),
    }


def test_copy_text_escapes_what_copy_reads_as_special():
    columns = Columns("t", ["a", "b", "c", "d"], {"d": None})
    line = copy_text(columns, [{"a": "x\ty\\z\n甲\r乙", "b": True, "c": 3}])
    assert line == "x\\ty\\\\z\\n甲\\r乙\tt\t3\t\\N\n"


@pytest.mark.django_db
def test_synthetic_rows_are_indexed_as_a_reindex_would_index_them(corpus):
    call_command("seed_synthetic", proposals=40, workers=1, stdout=StringIO(), verbosity=0)
    proposals = Proposal.objects.filter(session=SESSION).prefetch_related(
        "quotes__article",
        "quotes__passages",
        "authorships__delegate__aliases",
        "authorships__delegate__positions__organisation",
    )
    assert len(proposals) == 40
    for proposal in proposals:
        stored = {k: getattr(proposal, k) for k in ("text", *SEARCH_COLUMNS)}
        assert stored == proposal_search_columns(proposal)


def _schema() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated
            FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
            UNION ALL
            SELECT tablename, indexname, indexdef, true FROM pg_indexes WHERE schemaname = current_schema()
            """
        )
        return sorted(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes are dropped on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("search_index", ["keep", "rebuild"])
def test_a_load_with_indexes_dropped_puts_back_every_index_and_constraint(search_index):
    call_command("load_corpus", verbosity=0)  # transactional tests start from a flushed database
    before = _schema()
    out = StringIO()
    call_command(
        "seed_synthetic",
        proposals=120,
        workers=2,
        batch_size=50,
        drop_indexes="yes",
        search_index=search_index,
        stdout=out,
    )
    assert "created 120 synthetic proposals" in out.getvalue()
    assert _schema() == before  # the same indexes and constraints, every foreign key validated
    assert find_problems() == []
    found = Proposal.objects.published().search("发展").filter(session=SESSION)
    assert 0 < found.count() <= 120
