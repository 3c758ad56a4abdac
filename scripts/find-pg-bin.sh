#!/usr/bin/env bash
# Prints the folder holding the PostgreSQL server binaries (initdb, pg_ctl): $PG_BIN, then PATH,
# then pg_config, then the newest /usr/lib/postgresql/*/bin. Exits 1 when there is none.
set -uo pipefail
has() { [ -n "$1" ] && [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ]; }
if has "${PG_BIN:-}"; then echo "$PG_BIN"; exit 0; fi
if command -v initdb >/dev/null 2>&1; then d="$(dirname "$(readlink -f "$(command -v initdb)")")"; has "$d" && { echo "$d"; exit 0; }; fi
if command -v pg_config >/dev/null 2>&1; then d="$(pg_config --bindir)"; has "$d" && { echo "$d"; exit 0; }; fi
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do has "$d" && { echo "$d"; exit 0; }; done
exit 1
