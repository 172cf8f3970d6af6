#!/usr/bin/env bash
# README command 1: install what is missing, build, then load the bundled sample log into the default store
# (./ogi-data, or $OGI_DB) and show a case's history and the store's statistics. Safe to run again: the sample's
# events carry eventIds, so a second import is a no-op.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target ogi
ogi=build/cli/ogi
"$ogi" import tools/data/sample.jsonl
echo
"$ogi" history ZRZY-2023-002
echo
"$ogi" stats
