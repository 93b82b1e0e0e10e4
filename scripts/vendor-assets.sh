#!/usr/bin/env bash
# Refresh the dashboard's third-party assets in src/leadpilot/web/static/vendor/ from the npm registry.
# The files are committed: users never run npm. Bump a version here, run the script, review the diff and
# update static/vendor/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
HTMX_VERSION=2.0.11
CHARTJS_VERSION=4.6.1
dest=src/leadpilot/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "htmx.org@$HTMX_VERSION" "chart.js@$CHARTJS_VERSION" >/dev/null)
mkdir -p "$work/htmx" "$work/chartjs" "$dest"
tar xzf "$work/htmx.org-$HTMX_VERSION.tgz" -C "$work/htmx"
tar xzf "$work/chart.js-$CHARTJS_VERSION.tgz" -C "$work/chartjs"
cp "$work/htmx/package/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$work/htmx/package/LICENSE" "$dest/htmx.LICENSE"
cp "$work/chartjs/package/dist/chart.umd.min.js" "$dest/chart.umd.min.js"
cp "$work/chartjs/package/LICENSE.md" "$dest/chart.js.LICENSE.md"
(cd "$dest" && sha256sum htmx.min.js chart.umd.min.js)
