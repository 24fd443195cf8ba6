# Sourced by the Odoo scripts: find Odoo 19 and say how to run it.
# Odoo comes from ODOO_SRC (a source tree) or from an installed `odoo`
# package importable by ODOO_PYTHON (default: the project's venv, then python3).
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

find_odoo() {
    local candidates=("${ODOO_PYTHON:-}" "$REPO/.venv/bin/python" python3)
    export PYTHONPATH="${ODOO_SRC:+$ODOO_SRC:}$REPO${PYTHONPATH:+:$PYTHONPATH}"
    for py in "${candidates[@]}"; do
        [ -n "$py" ] || continue
        if "$py" -c 'import sys, odoo.release as r; sys.exit(r.version_info[0] != 19)' 2>/dev/null; then
            ODOO_PY="$py"
            if [ -n "${ODOO_SRC:-}" ]; then
                ODOO_RUN=("$ODOO_PY" "$ODOO_SRC/odoo-bin")
                ODOO_ADDONS="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$REPO"
            else
                ODOO_RUN=("$ODOO_PY" -m odoo)
                ODOO_ADDONS="$REPO"
            fi
            ensure_engine
            return 0
        fi
    done
    return 1
}

# Odoo checks external_dependencies by package name: install the engine into
# Odoo's Python when it can be (a system Python may refuse: PYTHONPATH serves).
ensure_engine() {
    "$ODOO_PY" -c 'import importlib.metadata as m; m.version("accrochage")' 2>/dev/null && return 0
    "$ODOO_PY" -m pip install --quiet --no-deps -e "$REPO" >/dev/null 2>&1 || true
}

odoo_missing_message() {
    echo "Odoo 19 n'est pas importable (ni ODOO_SRC, ni paquet odoo pour ${ODOO_PYTHON:-python3})."
}
