#!/usr/bin/env bash
# Moves a database SQLite -> PostgreSQL -> SQLite with backup_database / restore_database and checks that
# every record of every model is the same at each step (proposals.backup.snapshot). A throwaway
# PostgreSQL is started here and stopped afterwards. Usage: scripts/backup-roundtrip.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=1
work="$(mktemp -d /tmp/npp-roundtrip.XXXXXX)"
. scripts/lib/pg.sh
trap 'stop_postgres; rm -rf "$work"' EXIT INT TERM
chmod 755 "$work"

manage() { .venv/bin/python manage.py "$@"; }
fingerprint() {
  .venv/bin/python -c '
import hashlib, json, django
django.setup()
from proposals.backup import snapshot
data = snapshot()
print(sum(len(v) for v in data.values()), hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest())'
}
export DJANGO_SETTINGS_MODULE=npp_db.settings

export DATABASE_URL="sqlite:///$work/first.sqlite3"
manage migrate -v0 && manage load_corpus -v0
# some curation, so that history, users and a merge are in the backup
.venv/bin/python -c '
import django; django.setup()
from django.contrib.auth.models import Group, User
from proposals import services
from proposals.models import Delegate, Proposal
erin = User.objects.create_user("erin", password="x", is_staff=True); erin.groups.add(Group.objects.get(name="editor"))
keep, dup = Delegate.objects.filter(authorships__isnull=False).order_by("pk").distinct()[:2]
services.delegates_merge(survivor=keep, others=[dup], user=erin)
services.proposal_unpublish(proposals=Proposal.objects.order_by("pk")[:3], user=erin)'
first="$(fingerprint)"; echo "sqlite:     $first"
manage backup_database "$work/a.json.gz"

start_postgres "$work" >/dev/null
manage migrate -v0 && manage restore_database "$work/a.json.gz"
second="$(fingerprint)"; echo "postgresql: $second"
manage backup_database "$work/b.json.gz"

export DATABASE_URL="sqlite:///$work/second.sqlite3"
manage migrate -v0 && manage restore_database "$work/b.json.gz"
third="$(fingerprint)"; echo "sqlite:     $third"
manage check_integrity

[ "$first" = "$second" ] && [ "$second" = "$third" ] && echo "round trip: every record equal" || { echo "round trip: records differ"; exit 1; }
