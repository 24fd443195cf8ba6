#!/usr/bin/env bash
# The Odoo test tier: Odoo's own runner, then pytest-odoo, on a fresh
# PostgreSQL database. Skipped with a visible message when Odoo 19 is absent.
set -uo pipefail
source "$(dirname "$0")/odoo-env.sh"

if ! find_odoo; then
    echo "=================================================================="
    echo "SKIPPED: tests Odoo (accrochage_certificateur) — $(odoo_missing_message)"
    echo "Pour les lancer : ODOO_SRC=/chemin/odoo-19.0 ODOO_PYTHON=/chemin/python make test"
    echo "=================================================================="
    exit 0
fi

db="accrochage_test_$$"
log="$(mktemp)"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -f "$log"' EXIT
echo "Tests Odoo : $("$ODOO_PY" -c 'import odoo.release as r; print(r.version)') avec $ODOO_PY, base $db"
"${ODOO_RUN[@]}" --addons-path="$ODOO_ADDONS" -d "$db" --with-demo \
    -i accrochage_certificateur --test-tags /accrochage_certificateur \
    --stop-after-init --log-level=test --http-port=0 2>&1 | tee "$log" | grep -E "odoo.tests.result|FAIL|ERROR" || true
status=${PIPESTATUS[0]}
result=$(grep -E "odoo.tests.result" "$log" | tail -1)
[ -n "$result" ] || echo "Aucune ligne de résultat des tests Odoo."
if [ "$status" -ne 0 ] || ! grep -qE " 0 failed, 0 error\(s\)" <<<"$result"; then
    echo "Échec des tests Odoo (runner Odoo)." >&2
    tail -50 "$log" >&2
    exit 1
fi

if "$ODOO_PY" -c 'import pytest_odoo' 2>/dev/null; then
    conf="$(mktemp)"
    printf '[options]\naddons_path = %s\n' "$ODOO_ADDONS" >"$conf"
    (cd /tmp && "$ODOO_PY" -m pytest -p no:cacheprovider -q -W ignore::DeprecationWarning \
        --odoo-database="$db" --odoo-config="$conf" --odoo-http \
        "$REPO/accrochage_certificateur/tests")
    rc=$?
    rm -f "$conf"
    [ $rc -eq 0 ] || { echo "Échec des tests Odoo (pytest-odoo)." >&2; exit 1; }
else
    echo "SKIPPED: pytest-odoo absent de $ODOO_PY (pip install pytest-odoo) ; runner Odoo seul."
fi
