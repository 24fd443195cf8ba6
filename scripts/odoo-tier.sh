#!/usr/bin/env bash
# The Odoo test tier: Odoo's own runner, then pytest-odoo, on a fresh
# PostgreSQL database, browser tests included. It finds Odoo 19 as `make demo`
# does (ODOO_SRC/ODOO_PYTHON, an odoo package, ODOO_HOME); when there is none,
# it says so, and `make test` repeats it in its last lines.
set -uo pipefail
source "$(dirname "$0")/odoo-env.sh"
summary="${ODOO_TIER_SUMMARY:-/dev/null}"

skip() {
    say "=================================================================="
    say "SKIPPED: tests Odoo (accrochage_certificateur, accrochage_certificateur_survey) — $1"
    odoo_help_message
    say "=================================================================="
    say "SKIPPED: tests Odoo — $1" >"$summary"
    exit 0
}

find_odoo || skip "$(odoo_missing_message)"
ensure_odoo_python || { say "Échec de la préparation de $ODOO_PY." >&2; exit 1; }
ensure_postgres || { say "Tests Odoo impossibles sans PostgreSQL." >&2; exit 1; }
if ensure_browser; then
    browser="tests dans le navigateur avec $(command -v chromium || command -v google-chrome)"
else
    browser="SANS navigateur (chromium absent) : tests dans le navigateur sautés"
fi
"$ODOO_PY" -c 'import websocket' 2>/dev/null \
    || browser="SANS websocket-client : tests dans le navigateur sautés"

db="accrochage_test_$$"
log="$(mktemp)"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -f "$log"' EXIT
say "Tests Odoo : $("$ODOO_PY" -c 'import odoo.release as r; print(r.version)') ($ODOO_FOUND), base $db, $browser"
# The module and its optional bridge to the Survey app, installed and tested together.
"${ODOO_RUN[@]}" --addons-path="$ODOO_ADDONS" -d "$db" --with-demo \
    -i accrochage_certificateur,accrochage_certificateur_survey \
    --test-tags /accrochage_certificateur,/accrochage_certificateur_survey \
    --stop-after-init --log-level=test --http-port="${ODOO_TEST_PORT:-0}" 2>&1 | tee "$log" \
    | grep -E "odoo.tests.result|FAIL|ERROR|skipped|Skip|tour succeeded|Screenshots" || true
status=${PIPESTATUS[0]}
result=$(grep -E "odoo.tests.result" "$log" | tail -1 | sed -E 's/.*odoo.tests.result: //')
skips=$(grep -cE "skipped|SKIP" "$log")
if [ -z "$result" ]; then
    say "Aucune ligne de résultat des tests Odoo." >&2
    tail -50 "$log" >&2
    say "FAILED: tests Odoo — aucune ligne de résultat" >"$summary"
    exit 1
fi
if [ "$status" -ne 0 ] || ! grep -qE "^0 failed, 0 error\(s\)" <<<"$result"; then
    say "Échec des tests Odoo (runner Odoo)." >&2
    grep -E "(ERROR|FAIL)" "$log" | tail -40 >&2
    say "FAILED: tests Odoo (runner Odoo) — $result" >"$summary"
    exit 1
fi
line="runner Odoo : $result, $skips test(s) sauté(s), $browser"

if ! "$ODOO_PY" -c 'import pytest_odoo' 2>/dev/null; then
    say "PASSED: tests Odoo — $line ; pytest-odoo absent de $ODOO_PY" >"$summary"
    exit 0
fi
conf="$(mktemp)"
printf '[options]\naddons_path = %s\nhttp_port = %s\n' "$ODOO_ADDONS" "${ODOO_TEST_PORT:-0}" >"$conf"
pytest_log="$(mktemp)"
(cd /tmp && "$ODOO_PY" -m pytest -p no:cacheprovider -q -rs -W ignore::DeprecationWarning \
    --odoo-database="$db" --odoo-config="$conf" --odoo-http \
    "$REPO/accrochage_certificateur/tests" "$REPO/accrochage_certificateur_survey/tests") 2>&1 \
    | tee "$pytest_log"
rc=${PIPESTATUS[0]}
rm -f "$conf"
pytest_result=$(grep -E "^=*.*(passed|failed|error).* in [0-9.]+s" "$pytest_log" | tail -1 | tr -d '=' | xargs)
rm -f "$pytest_log"
if [ "$rc" -ne 0 ]; then
    say "Échec des tests Odoo (pytest-odoo)." >&2
    say "FAILED: tests Odoo (pytest-odoo) — $pytest_result" >"$summary"
    exit 1
fi
say "PASSED: tests Odoo — $line ; pytest-odoo : $pytest_result" >"$summary"
