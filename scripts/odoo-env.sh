# Sourced by the Odoo scripts (make demo, the Odoo test tier): find Odoo 19,
# install it when asked to, and say how to run it.
#
# Odoo 19 is looked for in this order:
#   1. ODOO_SRC (a source tree with odoo-bin) and/or ODOO_PYTHON (its interpreter);
#   2. an installed `odoo` 19 package (the project's venv, then python3);
#   3. ODOO_HOME (default /opt/odoo-19.0), holding src/ and venv/.
# install_odoo puts one into ODOO_HOME from ODOO_GIT at ODOO_REF.
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_HOME="${ODOO_HOME:-/opt/odoo-19.0}"
ODOO_GIT="${ODOO_GIT:-https://github.com/odoo/odoo.git}"
ODOO_REF="${ODOO_REF:-19.0}"
ODOO_PORT="${ODOO_PORT:-8069}"
# OCA addons of the 19.0 series that the addon depends on (PyPI wheels).
OCA_ADDONS=(odoo-addon-l10n-fr-cog odoo-addon-l10n-fr-siret)
# What the Odoo tier needs besides Odoo's requirements.txt.
ODOO_TEST_PACKAGES=(websocket-client pytest-odoo)

say() { printf '%s\n' "$*"; }

_is_odoo19() {  # PYTHON [SRC]: does this interpreter import Odoo 19?
    PYTHONPATH="${2:+$2:}${PYTHONPATH:-}" "$1" -c \
        'import sys, odoo.release as r; sys.exit(r.version_info[0] != 19)' 2>/dev/null
}

# Sets ODOO_PY, ODOO_RUN (the command that starts Odoo), ODOO_ADDONS and
# ODOO_FOUND (where it came from); returns 1 when no Odoo 19 is found.
find_odoo() {
    local py src="" how=""
    if [ -n "${ODOO_SRC:-}" ]; then
        for py in "${ODOO_PYTHON:-}" "$ODOO_SRC/../venv/bin/python" python3; do
            [ -n "$py" ] && _is_odoo19 "$py" "$ODOO_SRC" && { src="$ODOO_SRC"; how="ODOO_SRC"; break; }
        done
    elif [ -n "${ODOO_PYTHON:-}" ] && _is_odoo19 "$ODOO_PYTHON"; then
        py="$ODOO_PYTHON"; how="ODOO_PYTHON"
    fi
    if [ -z "$how" ]; then
        # an installed package, not the source a previous find_odoo put on PYTHONPATH
        for py in "$REPO/.venv/bin/python" python3; do
            PYTHONPATH="" _is_odoo19 "$py" && { how="paquet odoo"; break; }
        done
    fi
    if [ -z "$how" ] && [ -x "$ODOO_HOME/venv/bin/python" ] && [ -f "$ODOO_HOME/src/odoo-bin" ] \
        && _is_odoo19 "$ODOO_HOME/venv/bin/python" "$ODOO_HOME/src"; then
        py="$ODOO_HOME/venv/bin/python"; src="$ODOO_HOME/src"; how="ODOO_HOME=$ODOO_HOME"
    fi
    [ -n "$how" ] || return 1
    ODOO_PY="$py"
    ODOO_FOUND="$how"
    # The repository first on the path: its engine wins over any installed copy.
    export PYTHONPATH="${src:+$src:}$REPO${PYTHONPATH:+:$PYTHONPATH}"
    if [ -n "$src" ]; then
        ODOO_RUN=("$ODOO_PY" "$src/odoo-bin")
        ODOO_ADDONS="$src/addons,$src/odoo/addons,$REPO"
    else
        ODOO_RUN=("$ODOO_PY" -m odoo)
        ODOO_ADDONS="$REPO"
    fi
    return 0
}

odoo_missing_message() {
    say "Odoo 19 est introuvable (ni ODOO_SRC, ni paquet odoo, ni $ODOO_HOME)."
}

odoo_help_message() {
    say "Pour utiliser un Odoo 19 existant : ODOO_SRC=/chemin/odoo-19.0 (et ODOO_PYTHON=/chemin/python) ;"
    say "pour l'installer depuis un autre dépôt git : ODOO_GIT=/chemin/ou/url ODOO_REF=19.0 make demo."
}

_pip() { "$ODOO_HOME/venv/bin/python" -m pip --disable-pip-version-check -q "$@"; }

# Debian packages Odoo's requirements build against, and PostgreSQL's client.
_odoo_system_deps() {
    [ "${ODOO_SYSTEM_DEPS:-1}" = 1 ] || return 0
    command -v dpkg >/dev/null || return 0
    local wanted=(git build-essential python3-dev python3-venv libpq-dev libldap2-dev libsasl2-dev
        libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev postgresql-client) missing=() p
    for p in "${wanted[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        say "Paquets Debian manquants pour Odoo : ${missing[*]} (installez-les en root)." >&2
        return 0
    fi
    say "Paquets Debian pour Odoo : ${missing[*]}"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        "${missing[@]}" >/dev/null
}

# A shallow clone of ODOO_GIT at ODOO_REF (a branch or a tag; any other ref
# is fetched by name). A local path is cloned as file:// so --depth applies.
_odoo_clone() {
    local url="$ODOO_GIT" tmp="$ODOO_HOME/src.partial"
    [ -d "$url" ] && url="file://$(cd "$url" && pwd)"
    rm -rf "$tmp"
    if ! git clone -q --depth 1 --branch "$ODOO_REF" "$url" "$tmp" 2>/dev/null; then
        rm -rf "$tmp"
        git init -q "$tmp" && git -C "$tmp" fetch -q --depth 1 "$url" "$ODOO_REF" 2>/dev/null \
            && git -C "$tmp" checkout -q FETCH_HEAD 2>/dev/null || { rm -rf "$tmp"; return 1; }
    fi
    [ -f "$tmp/odoo-bin" ] || { say "$ODOO_GIT ($ODOO_REF) ne contient pas odoo-bin." >&2; rm -rf "$tmp"; return 1; }
    mv "$tmp" "$ODOO_HOME/src"
}

# Odoo's requirements.txt; psycopg2-binary where building psycopg2 fails.
_odoo_requirements() {
    local req="$ODOO_HOME/src/requirements.txt"
    [ -f "$req" ] || return 0
    _pip install -r "$req" 2>"$ODOO_HOME/pip.log" && return 0
    say "psycopg2 ne se compile pas ici : psycopg2-binary à la place."
    sed -E 's/^psycopg2==/psycopg2-binary==/' "$req" >"$ODOO_HOME/requirements-binary.txt"
    _pip install -r "$ODOO_HOME/requirements-binary.txt" 2>>"$ODOO_HOME/pip.log"
}

# What the project needs in Odoo's Python: the engine (for Odoo's
# external_dependencies check; PYTHONPATH still puts the repository's copy
# first), the test tools, and OCA addons (their wheels require `odoo`, which
# no registry has: hence --no-deps). Done once per version of pyproject.toml.
ensure_odoo_python() {
    local prefix stamp
    prefix=$("$ODOO_PY" -c 'import sys; print(sys.prefix)') || return 1
    stamp="$prefix/.accrochage-$(cksum <"$REPO/pyproject.toml" | cut -d' ' -f1)"
    [ -f "$stamp" ] && return 0
    local pip=("$ODOO_PY" -m pip --disable-pip-version-check -q)
    "${pip[@]}" install "${ODOO_TEST_PACKAGES[@]}" python-calamine 2>/dev/null \
        || say "Outils de test non installés dans $ODOO_PY : ${ODOO_TEST_PACKAGES[*]}." >&2
    "${pip[@]}" install --no-deps "${OCA_ADDONS[@]}" 2>/dev/null \
        || say "Addons OCA non installés dans $ODOO_PY : ${OCA_ADDONS[*]}." >&2
    "${pip[@]}" install --no-deps --force-reinstall "$REPO" >/dev/null 2>"$prefix/.accrochage-pip.log" \
        || { say "Le moteur accrochage ne s'installe pas dans $ODOO_PY." >&2; return 1; }
    rm -f "$prefix"/.accrochage-* 2>/dev/null
    touch "$stamp" 2>/dev/null || true
}

# Installs Odoo 19 into ODOO_HOME: source, Debian packages, venv. Idempotent:
# each step is skipped when its result is there. Returns 1 when Odoo cannot
# be had (no network, clone refused).
install_odoo() {
    mkdir -p "$ODOO_HOME" 2>/dev/null || { say "Impossible de créer $ODOO_HOME." >&2; return 1; }
    if [ ! -f "$ODOO_HOME/src/odoo-bin" ]; then
        say "Installation d'Odoo 19 dans $ODOO_HOME depuis $ODOO_GIT ($ODOO_REF)…"
        _odoo_system_deps
        _odoo_clone || return 1
    fi
    if [ ! -x "$ODOO_HOME/venv/bin/python" ] || [ ! -f "$ODOO_HOME/venv/.requirements" ]; then
        _odoo_system_deps
        say "Environnement Python d'Odoo : $ODOO_HOME/venv (quelques minutes la première fois)…"
        "${ODOO_BASE_PYTHON:-python3}" -m venv "$ODOO_HOME/venv" || return 1
        _pip install --upgrade pip wheel setuptools >/dev/null 2>&1 || true
        _odoo_requirements || { say "Échec de pip : voir $ODOO_HOME/pip.log." >&2; return 1; }
        touch "$ODOO_HOME/venv/.requirements"
    fi
    find_odoo
}

# PostgreSQL: the one the current user reaches; on a Debian without any,
# Debian's postgresql, started, with a role for the current user.
ensure_postgres() {
    psql -d postgres -Atqc 'select 1' >/dev/null 2>&1 && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        if ! command -v pg_ctlcluster >/dev/null; then
            say "Installation de PostgreSQL (paquet Debian postgresql)…"
            apt-get update -qq >/dev/null
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
        fi
        local version
        version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
        [ -n "$version" ] && pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null
        local me
        me=$(id -un)
        su postgres -c "createuser --superuser $me" 2>/dev/null
        su postgres -c "createdb $me" 2>/dev/null
    fi
    psql -d postgres -Atqc 'select 1' >/dev/null 2>&1 || {
        say "PostgreSQL est injoignable pour l'utilisateur $(id -un) (Odoo refuse le rôle postgres)." >&2
        return 1
    }
}

# The Odoo tier's browser: Debian's chromium (the tests look for it on PATH).
ensure_browser() {
    command -v chromium >/dev/null || command -v google-chrome >/dev/null && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        say "Installation de chromium (paquet Debian) pour les tests dans le navigateur…"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || true
    fi
    command -v chromium >/dev/null
}
