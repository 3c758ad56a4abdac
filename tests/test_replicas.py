"""Read replicas against a real PostgreSQL streaming standby (pg_basebackup -R from the test primary, started
by scripts/test-both-backends.sh: REPLICA_TEST_HOST/PORT). Data is committed on the primary (transactional
tests), the standby replays it, and the router decides where each request reads.

The proof that anonymous reads really come from the standby, and that a curator never reads a stale
record: replay is paused on the standby, a curator saves; the anonymous API still shows the old title
(it reads the standby), the curator's own pages show the new one (they read the primary).
"""

from __future__ import annotations

import os
import time

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from proposals.models import Proposal

HOST, PORT = os.environ.get("REPLICA_TEST_HOST", ""), os.environ.get("REPLICA_TEST_PORT", "")
if HOST and PORT and "replica1" not in django_settings.DATABASES:
    # Collected before the test databases are made: as a test mirror of "default", Django points this alias
    # at the test database's name, on the standby's host and port (set_as_test_mirror copies NAME only).
    django_settings.DATABASES["replica1"] = {
        **django_settings.DATABASES["default"],
        "HOST": HOST,
        "PORT": PORT,
        "TEST": {"MIRROR": "default"},
    }

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "replica1"]),
    pytest.mark.skipif(
        not (HOST and PORT), reason="no streaming standby (scripts/test-both-backends.sh starts one)"
    ),
]


@pytest.fixture
def replica(settings, transactional_db):
    """The alias "replica1" on the standby's copy of this test database, routed to by the router (the
    corpus loaded and committed on the primary: transactional tests flush the database after each)."""
    call_command("load_corpus", verbosity=0)
    assert connections["default"].vendor == "postgresql"
    assert connections["replica1"].settings_dict["NAME"] == connections["default"].settings_dict["NAME"]
    settings.DATABASE_REPLICAS = ["replica1"]
    _wait_for_replay()
    _wait_until_visible(set(Proposal.objects.published().values_list("pk", flat=True)))
    yield connections["replica1"]
    with connections["replica1"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    connections["replica1"].close()


def _wait_until_visible(published: set[int], timeout: float = 30) -> None:
    """The standby reads the primary's published proposals (replay reaching the primary's LSN is not always
    enough for a new read on the standby to see the last commit at once)."""
    assert published, "the corpus did not load on the primary"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if set(Proposal.objects.using("replica1").published().values_list("pk", flat=True)) == published:
            return
        time.sleep(0.05)
    raise AssertionError("the standby does not read the primary's published proposals")


def _wait_for_replay(timeout: float = 30) -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["replica1"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the standby did not replay the primary's changes in time")


def test_the_standby_is_a_real_standby(replica):
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is False


def test_anonymous_public_reads_go_to_the_replica(client, replica):
    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(replica) as on_replica,
    ):
        assert client.get("/api/v1/proposals/").status_code == 200
        assert client.get("/themes/").status_code == 200
    assert len(on_replica) > 0
    assert len(on_primary) == 0


def test_admin_and_curators_read_the_primary(curator_client, replica):
    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(replica) as on_replica,
    ):
        assert curator_client.get("/admin/proposals/proposal/").status_code == 200
        assert curator_client.get("/api/v1/themes/").status_code == 200  # signed in: the primary too
    assert len(on_primary) > 0
    assert len(on_replica) == 0


def test_a_curator_never_reads_a_stale_record_after_saving(curator_client, replica):
    from tests.admin_forms import change_form_data

    proposal = Proposal.objects.published().first()
    url = f"/admin/proposals/proposal/{proposal.pk}/change/"
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")  # the standby lags from now on
    data = change_form_data(curator_client, url)
    data["title"] = "保存后立即可见的新标题"
    response = curator_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    # The curator reads the primary: the change form and the public page show the saved title.
    assert "保存后立即可见的新标题" in curator_client.get(url).content.decode()
    assert "保存后立即可见的新标题" in curator_client.get(f"/proposals/{proposal.pk}/").content.decode()
    # An anonymous reader reads the paused standby: still the old title (so the reads above did not).
    client = Client()
    anonymous = client.get(f"/api/v1/proposals/{proposal.pk}/").json()["title"]
    assert anonymous == proposal.title
    # Replay resumes; once the standby has caught up, anonymous readers see the new title too.
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    _wait_for_replay()
    assert client.get(f"/api/v1/proposals/{proposal.pk}/").json()["title"] == "保存后立即可见的新标题"


def test_a_client_that_wrote_reads_the_primary_for_a_while(client, replica, settings):
    """Read-after-write for any client: after a POST (here a refused one), the pin cookie keeps its reads on
    the primary."""
    client.post("/api/v1/proposals/", {})
    assert client.cookies.get("npp_primary_until")
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get("/api/v1/proposals/").status_code == 200
    assert len(on_replica) == 0
