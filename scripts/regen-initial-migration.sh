#!/usr/bin/env bash
# Until the first release the base schema is one migration (0001), regenerated from the models; later
# migrations (0002 full-text search, ...) are kept and re-chained on top of it.
set -euo pipefail
cd "$(dirname "$0")/.."
versions=src/leadpilot/migrations/versions
aside=$(mktemp -d)
find "$versions" -maxdepth 1 -name '0*.py' ! -name '0001_*' -exec mv {} "$aside"/ \;
trap 'mv "$aside"/*.py "$versions"/ 2>/dev/null || true; rm -rf "$aside"' EXIT
rm -f "$versions"/0001_initial_schema.py
scripts/new-migration.sh "initial schema" >/dev/null
f=$(ls "$versions"/*_initial_schema.py)
mv "$f" "$versions"/0001_initial_schema.py
sed -i 's/^revision: str = .*/revision: str = "0001"/' "$versions"/0001_initial_schema.py
echo "regenerated $versions/0001_initial_schema.py"
