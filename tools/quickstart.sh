#!/usr/bin/env bash
# README command 1: install what is missing, build, then build the demo store in ./ogi-data (or $OGI_DB) — the
# seed agency 乌拉特中旗教育局 with the log behind its 2023 report, plus a generated city — and print reports,
# then load the hand-written sample log, show one case's history, and verify the log. Safe to run again: `ogi demo` runs
# only when the folder holds no store yet (it refuses a store with events), and every sample event has an eventId, so a
# second import appends nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target ogi
ogi=build/cli/ogi
if [ -e "${OGI_DB:-./ogi-data}/CURRENT" ]; then
  echo "${OGI_DB:-./ogi-data} holds a store already: the demo was built before"
else
  "$ogi" demo
fi
echo
"$ogi" import tools/data/sample.jsonl
"$ogi" report --year 2023 --agency wltzq --rollup --format text
echo
"$ogi" history ZRZY-2023-002
echo
"$ogi" verify
echo
# The web console (docs/CONSOLE.md): a token for a person, kept in a file only the user can read, then how to open it.
db="${OGI_DB:-./ogi-data}"
if ! "$ogi" --db "$db" token list 2>/dev/null | grep -q 'clerk-wang'; then
  (umask 077 && "$ogi" --db "$db" token create --name clerk-wang --agency wltzq-jyj --scope append,read,report \
    | tail -1 > "$db/console-token.txt")
fi
echo "web console: run  $ogi --db $db serve --http 127.0.0.1:7780"
echo "then open http://127.0.0.1:7780/console/ and sign in with the token in $db/console-token.txt"
