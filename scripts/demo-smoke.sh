#!/usr/bin/env bash
# The whole `make demo` on a fresh clone, as issue 6 asks: Odoo installed into
# a temporary ODOO_HOME from ODOO_GIT (a local repository or mirror of Odoo
# 19.0), the demo database made with DEMO_SERVE=0, then `make demo` serving
# Odoo and the login page answering 200.
#   ODOO_GIT=/path/to/odoo-19.0-git scripts/demo-smoke.sh
set -euo pipefail
: "${ODOO_GIT:?ODOO_GIT doit nommer un dépôt git local Odoo 19.0}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
port="${ODOO_PORT:-8079}"
db="accrochage_smoke_$$"
cleanup() {
    [ -n "${server:-}" ] && kill -- -"$server" 2>/dev/null || true
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
git clone -q "$repo" "$work/clone"
export ODOO_GIT ODOO_HOME="$work/odoo-home" ODOO_PORT="$port" DEMO_DB="$db"
unset ODOO_SRC ODOO_PYTHON
cd "$work/clone"
start=$(date +%s)
DEMO_SERVE=0 make demo
elapsed=$(( $(date +%s) - start ))
echo "== DEMO_SERVE=0 make demo : ${elapsed} s"
start=$(date +%s)
set -m
make demo >"$work/serve.log" 2>&1 &
server=$!
set +m
code=000
for _ in $(seq 1 120); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$port/web/login" || true)
    [ "$code" = 200 ] && break
    sleep 2
done
elapsed=$(( $(date +%s) - start ))
echo "== make demo (second run, serving): login page HTTP $code after ${elapsed} s"
grep -E "Odoo est prêt|Ctrl-C" "$work/serve.log" || true
[ "$code" = 200 ]
