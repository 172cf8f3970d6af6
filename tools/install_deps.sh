#!/usr/bin/env bash
# Installs, idempotently, the Debian 12 packages ogi builds and tests with. Run as root.
set -euo pipefail
pkgs=(
  build-essential cmake pkg-config git ccache
  librocksdb-dev libprotobuf-dev protobuf-compiler libabsl-dev
  libgtest-dev libgmock-dev libssl-dev libcli11-dev
  clang-format sqlite3 libsqlite3-dev
  libgrpc++-dev protobuf-compiler-grpc libcpp-httplib-dev openssl
  libboost-dev libboost-system-dev libjemalloc-dev
  chromium fonts-wqy-microhei
)
# The web console is built with Node and npm (web/package-lock.json pins its packages): Debian's, unless the
# machine has its own (a Node from elsewhere conflicts with Debian's npm package).
command -v node > /dev/null || pkgs+=(nodejs)
command -v npm > /dev/null || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
