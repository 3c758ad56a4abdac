"""Backup and restore: the whole database (curated records, history, users, groups, admin log) out and
back in with every record equal. Run on SQLite and PostgreSQL (scripts/test-both-backends.sh); the same
file format is what moves a database from one backend to the other (README: backup and restore)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from proposals import services
from proposals.backup import snapshot
from proposals.models import Delegate, Proposal
from tests.admin_forms import change_form_data
from tests.curation_helpers import admin_url

pytest_plugins = ["tests.curation_users"]


def _some_curation(alice_client, erin) -> None:
    """History, a merge, a transition and a user edit, so that the backup has all of them."""
    proposal = Proposal.objects.published().first()
    url = admin_url(Proposal, "change", proposal.pk)
    alice_client.post(url, change_form_data(alice_client, url) | {"summary": "备份前的编辑"})
    keep, duplicate = Delegate.objects.filter(authorships__isnull=False).order_by("pk").distinct()[:2]
    services.delegates_merge(survivor=keep, others=[duplicate], user=erin)
    services.proposal_unpublish(proposals=[proposal], user=erin)


@pytest.mark.parametrize("name", ["backup.json", "backup.json.gz"])
def test_round_trip_keeps_every_record(alice_client, erin, corpus, tmp_path, name):
    _some_curation(alice_client, erin)
    before = snapshot()
    assert before["proposals.historicalproposal"] and before["auth.group"] and before["auth.user"]
    path = tmp_path / name
    call_command("backup_database", str(path))

    with pytest.raises(CommandError):
        call_command("restore_database", str(path))  # not into a database that has records
    call_command("restore_database", str(path), "--replace")
    after = snapshot()
    assert after.keys() == before.keys()
    for label in before:
        missing, extra = set(before[label]) - set(after[label]), set(after[label]) - set(before[label])
        assert not missing and not extra, (label, sorted(missing)[:2], sorted(extra)[:2])
    call_command("check_integrity")


def test_restore_dry_run_keeps_nothing(erin, corpus, tmp_path):
    path = tmp_path / "backup.json"
    call_command("backup_database", str(path))
    count = Proposal.objects.count()
    call_command("restore_database", str(path), "--replace", "--dry-run")
    assert Proposal.objects.count() == count


def test_backup_name_must_say_json(corpus, tmp_path):
    with pytest.raises(CommandError):
        call_command("backup_database", str(tmp_path / "backup.txt"))
