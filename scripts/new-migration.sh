#!/usr/bin/env bash
# Autogenerate a migration from the models against a scratch SQLite database at head.
set -euo pipefail
msg=${1:?usage: scripts/new-migration.sh "message"}
tmp=$(mktemp -d)
export LEADPILOT_DATABASE_URL="sqlite:///$tmp/scratch.db"
python - "$msg" <<'PY'
import sys
from alembic import command
from leadpilot.db.migrate import alembic_config, upgrade
url = __import__("os").environ["LEADPILOT_DATABASE_URL"]
upgrade(url=url)
command.revision(alembic_config(url=url), message=sys.argv[1], autogenerate=True)
PY
rm -rf "$tmp"
ruff format src/leadpilot/migrations/versions >/dev/null 2>&1 || true
