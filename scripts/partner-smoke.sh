#!/usr/bin/env bash
# The partner exchange between two databases on one Odoo server (issue 12):
# a certifier's database and a partner organisation's, both with the addon,
# served on loopback. The partner transmits two passages over JSON-2 with the
# API key the certifier gave it; the certifier finds them in Prêt and
# À corriger, deposits the ready one and imports the CDC's receipt; the
# partner's pull cron then shows it accepted. Each side is driven by an
# `odoo shell` script (scripts/partner_smoke_steps.py). Both databases are
# dropped on exit.
#   scripts/partner-smoke.sh            (ODOO_PORT: first port tried, 8093)
set -euo pipefail
port="${ODOO_PORT:-8093}"
source "$(dirname "$0")/odoo-env.sh"

work="$(mktemp -d)"
cert="accrochage_cert_$$"
part="accrochage_part_$$"
step="préparation"
cleanup() {
    [ -n "${server:-}" ] && { kill -- -"$server" 2>/dev/null; wait "$server" 2>/dev/null; } || true
    for db in "$cert" "$part"; do dropdb --if-exists --force "$db" >/dev/null 2>&1 || true; done
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    say "ÉCHEC à l'étape « $step »${1:+ : $1}"
    exit 1
}

find_odoo || { odoo_missing_message; odoo_help_message; exit 1; }
ensure_odoo_python || fail "le moteur ne s'installe pas dans le Python d'Odoo"
ensure_postgres || fail "PostgreSQL est injoignable"
say "Odoo 19 : $ODOO_FOUND ($ODOO_PY)."
# the filestore and sessions in the throwaway directory: nothing left behind
common=(--addons-path="$ODOO_ADDONS" --data-dir="$work/data" --log-level=warn)

# Runs `odoo shell` on database $1 with the snippet $2 on stdin, the other
# arguments being VAR=value for it; shows its lines, keeps them in $work/out.
shell_step() {
    local db="$1" snippet="$2"
    shift 2
    if ! env "$@" "${ODOO_RUN[@]}" shell "${common[@]}" -d "$db" --no-http \
        <"$REPO/scripts/$snippet" >"$work/out" 2>"$work/err"; then
        grep -v '^PARTNER_SMOKE_' "$work/out" || true
        tail -n 15 "$work/err"
        fail
    fi
    grep -v '^PARTNER_SMOKE_' "$work/out" || true
    grep -qx PARTNER_SMOKE_STEP_OK "$work/out" || { tail -n 15 "$work/err"; fail; }
}

for db in "$cert" "$part"; do
    step="création de la base $db"
    say "== Création de la base $db (module accrochage_certificateur, en français)…"
    "${ODOO_RUN[@]}" "${common[@]}" -d "$db" -i accrochage_certificateur \
        --load-language=fr_FR --stop-after-init >"$work/install.log" 2>&1 \
        || { tail -n 20 "$work/install.log"; fail; }
done

step="démarrage du serveur Odoo"
# the first free port from ODOO_PORT on
for _ in $(seq 1 20); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
    port=$((port + 1))
done
url="http://127.0.0.1:$port"
set -m
"${ODOO_RUN[@]}" "${common[@]}" --http-interface=127.0.0.1 --http-port="$port" \
    --db-filter="^($cert|$part)\$" --max-cron-threads=0 >"$work/server.log" 2>&1 &
server=$!
set +m
# a JSON-2 call without a key: 401 once the certifier's registry is loaded
code=000
for _ in $(seq 1 90); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-Odoo-Database: $cert" \
        -H 'Content-Type: application/json' -d '{}' "$url/json/2/res.users/context_get" || true)
    [ "$code" = 401 ] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 2
done
[ "$code" = 401 ] || { tail -n 20 "$work/server.log"; fail "l'API JSON-2 répond HTTP $code"; }
say "== Serveur Odoo sur $url pour les bases $cert et $part"

step="certificateur : organisme partenaire, habilitation, clé d'API"
say "== Certificateur ($cert) : organisme partenaire, habilitation et clé d'API"
shell_step "$cert" partner_smoke_steps.py PARTNER_SMOKE_STEP=setup
key=$(sed -n 's/^PARTNER_SMOKE_KEY=//p' "$work/out")
[ -n "$key" ] || fail "aucune clé d'API"

step="partenaire : paramètres, passages, transmission"
say "== Partenaire ($part) : paramètres, passages et « Transmettre au certificateur »"
shell_step "$part" partner_smoke_steps.py PARTNER_SMOKE_STEP=push \
    PARTNER_SMOKE_URL="$url" PARTNER_SMOKE_DB="$cert" PARTNER_SMOKE_KEY="$key"

step="certificateur : Prêt, À corriger, dépôt et accusé de traitement"
say "== Certificateur ($cert) : Prêt / À corriger, dépôt et accusé de traitement"
shell_step "$cert" partner_smoke_steps.py PARTNER_SMOKE_STEP=receipt

step="partenaire : relève des statuts"
say "== Partenaire ($part) : relève des statuts du certificateur (action planifiée)"
shell_step "$part" partner_smoke_steps.py PARTNER_SMOKE_STEP=pull

say "PARTNER SMOKE OK"
