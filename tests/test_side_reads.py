"""Reads beside the request (proposals.side_reads): on their own connections when the data is committed,
in turn inside a transaction or on SQLite, and with the same result either way (the facets of a searched,
filtered list)."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from proposals import side_reads
from proposals.facets import proposal_facets
from proposals.filters import ProposalFilterSet
from proposals.models import Proposal
from tests.factories import build_world, delete_curated_records

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="side by side on PostgreSQL only"
)


def _backend() -> tuple[int, object]:
    """The reading thread, and the connection it read on."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    return threading.get_ident(), connections["default"]


def _fails() -> None:
    raise ValueError("no such read")


@pytest.mark.django_db
def test_inside_a_transaction_a_read_runs_in_turn_on_the_request_s_connection(settings):
    settings.SIDE_READS = 3
    assert connection.in_atomic_block  # the test's transaction: another connection would not see its rows
    assert not side_reads.side_by_side("default")
    assert side_reads.read_beside("default", _backend).result() == (threading.get_ident(), connection)
    failed = side_reads.read_beside("default", _fails)  # raised where the result is asked for, as beside
    with pytest.raises(ValueError, match="no such read"):
        failed.result()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_read_runs_beside_on_a_connection_of_its_own(settings):
    settings.SIDE_READS = 3
    assert side_reads.side_by_side("default")
    seen = []

    def traced(execute, sql, params, many, context):
        seen.append((threading.get_ident(), sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(traced):
        thread, used = side_reads.read_beside("default", _backend).result()
    assert thread != threading.get_ident() and used is not connection
    assert seen == [(thread, "SELECT 1")]  # the request's wrappers wrap its side reads
    assert not used.execute_wrappers  # and only them
    # connections are not kept here (CONN_MAX_AGE 0): the pool's is closed after its read, as a request's
    assert used.connection is None
    with pytest.raises(ValueError, match="no such read"):
        side_reads.read_beside("default", _fails).result()
    with transaction.atomic():
        assert not side_reads.side_by_side("default")
    settings.SIDE_READS = 1
    assert not side_reads.side_by_side("default")
    assert side_reads.read_beside("default", _backend).result()[0] == threading.get_ident()


def test_sqlite_reads_in_turn(settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    settings.SIDE_READS = 3
    assert not side_reads.side_by_side("default")


def _facets(query: str, sample: int | None) -> tuple[list, list[bool], int]:
    filterset = ProposalFilterSet(QueryDict(query), queryset=Proposal.objects.published())
    assert filterset.is_valid(), filterset.errors
    filterset.qs  # noqa: B018 - the list's own query first, as the view reads it
    sampled: list[bool] = []
    with CaptureQueriesContext(connection) as queries:
        facets = proposal_facets(filterset, sample=sample, sampled=sampled)
    return (
        [(f.name, [(o.value, o.count, o.selected) for o in f.options]) for f in facets],
        sampled,
        len(queries),
    )


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_facets_of_a_searched_filtered_list_are_the_same_read_side_by_side(settings):
    delete_curated_records()  # the corpus, when no transactional test flushed it before this one
    build_world()
    for query in (
        "q=人工智能&theme=artificial-intelligence&region=zhejiang",
        "q=发展&theme=artificial-intelligence&theme=new-energy-vehicles&body=npc",
        "theme=artificial-intelligence&body=cppcc&year=2024",
    ):
        for sample in (None, 1, 2):
            settings.SIDE_READS = 1
            in_turn, sampled_in_turn, queries_in_turn = _facets(query, sample)
            settings.SIDE_READS = 3
            beside, sampled_beside, queries_beside = _facets(query, sample)
            assert beside == in_turn and sampled_beside == sampled_in_turn, (query, sample)
            assert any(count for _, options in in_turn for _, count, _ in options), query
            # each chosen filter's selection was read on another connection, not the request's
            assert queries_beside < queries_in_turn, (query, sample)
