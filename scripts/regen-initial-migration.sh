#!/usr/bin/env bash
# Until the first release the schema is one migration, regenerated from the models.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f src/leadpilot/migrations/versions/0001_initial_schema.py
scripts/new-migration.sh "initial schema" >/dev/null
f=$(ls src/leadpilot/migrations/versions/*_initial_schema.py)
mv "$f" src/leadpilot/migrations/versions/0001_initial_schema.py
sed -i 's/^revision: str = .*/revision: str = "0001"/' src/leadpilot/migrations/versions/0001_initial_schema.py
echo "regenerated src/leadpilot/migrations/versions/0001_initial_schema.py"
