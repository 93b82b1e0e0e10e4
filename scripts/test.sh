#!/usr/bin/env bash
# Install LeadPilot with its test dependencies into a virtual environment and run the whole suite.
#   scripts/test.sh                 # SQLite
#   LEADPILOT_TEST_DATABASE_URL=postgresql+psycopg://postgres@localhost/leadpilot_test scripts/test.sh
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${LEADPILOT_VENV:-.venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e '.[test]'
# Browser tests drive Debian's Chromium; install it when we can (root + apt), otherwise they are skipped.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "could not install chromium: browser tests will be skipped" >&2
fi
if [ -n "${LEADPILOT_TEST_DATABASE_URL:-}" ]; then
  "$venv/bin/python" - <<'PY'
import os
import psycopg
from sqlalchemy.engine import make_url
url = make_url(os.environ["LEADPILOT_TEST_DATABASE_URL"])
admin = url.set(database="postgres", drivername="postgresql")
with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone():
        conn.execute(f'CREATE DATABASE "{url.database}"')
PY
fi
exec "$venv/bin/python" -m pytest "$@"
