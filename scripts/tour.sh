#!/usr/bin/env bash
# A short tour of archivist on a demo archive (demo.json) in the current folder.
# Run from the project folder after installing: bash scripts/tour.sh
# The tour leaves demo.json and the files archivist keeps beside it (demo.json.index,
# demo.json.lock) and the published site demo-site/ for you to try;
# `bash scripts/tour.sh clean` removes them all.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${ARCHIVIST_BIN:-$here/.venv/bin/archivist}"
a() { echo; printf '$ archivist'; printf ' %q' "$@"; echo; "$bin" --db demo.json "$@"; }
# Everything an archive at demo.json makes: the file, its index and lock, and any
# temporary file of a write that was interrupted.
clean() { rm -f demo.json demo.json.index demo.json.lock .demo.json.*; rm -rf demo-site .publish-demo-site.*; }

case "${1:-}" in
    "") ;;
    clean) clean; echo "removed the demo archive from $(pwd)"; exit 0 ;;
    *) echo "usage: bash scripts/tour.sh [clean]" >&2; exit 2 ;;
esac

clean
a import "$here/records/"
a info
a list --sort -date --limit 8
a list 'creator:weiss date:2019..2021 tag:film' --columns id,date,title
a show weiss-2021-dear-comrades
a links wsws-history-of-russia --format json | head -n 12
a graph workers-power-russia --depth 1 --format mermaid
a verify 'creator:weiss tag:film'
a add --title "Russia: masses on the streets (notes)" --kind other --tag notes
a tag weiss-2021-dear-comrades Novocherkassk
a history --limit 3
a duplicates
a export 'kind:article creator:weiss' --format bibtex --limit 2
# Citing needs the cite extra (pip install '.[cite]'); without it the tour goes on.
a cite 'id:weiss-2021-dear-comrades OR id:russia-masses-streets' --style apa || true
a cite 'id:weiss-2021-dear-comrades OR id:russia-masses-streets' --in-text || true
if "$bin" publish --help >/dev/null 2>&1 && "$here/.venv/bin/python" -c 'import jinja2' 2>/dev/null; then
    a publish -o demo-site --title "Sample archive" --copy-sources
    echo "The sample archive as a website: open $(pwd)/demo-site/index.html in a browser"
else
    echo; echo "(publish needs Jinja2: .venv/bin/pip install -q '.[web]', then run the tour again)"
fi
echo
echo "The demo archive is $(pwd)/demo.json; try: $bin --db demo.json list --help"
echo "Remove it and the files beside it with: bash $0 clean"
