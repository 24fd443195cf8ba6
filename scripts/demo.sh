#!/usr/bin/env bash
# `make demo`: Odoo 19 with the addon and its French demo data, a deposit
# built, then Odoo served on http://localhost:$ODOO_PORT (DEMO_SERVE=0:
# prepare only). Without any Odoo to be had, the engine demo.
set -euo pipefail
VPY="$1"
source "$(dirname "$0")/odoo-env.sh"

engine_demo() {
    odoo_help_message
    say "Démonstration du moteur seul :"
    say
    exec "$VPY" -m accrochage.cli demo -o "${DEMO_OUTPUT:-$REPO/demo-output}"
}

if ! find_odoo; then
    if ! install_odoo; then
        say "Odoo 19 n'a pas pu être installé dans $ODOO_HOME depuis $ODOO_GIT ($ODOO_REF) : pas de réseau ou dépôt refusé."
        engine_demo
    fi
fi
say "Odoo 19 : $ODOO_FOUND ($ODOO_PY)."
ensure_odoo_python || engine_demo
ensure_postgres || engine_demo

db="${DEMO_DB:-accrochage_demo}"
options=(--addons-path="$ODOO_ADDONS" -d "$db" --log-level=warn)
odoo=("${ODOO_RUN[@]}" "${options[@]}")
# The module's and the engine's files: when they have not changed since the
# last `make demo` on this database, it starts at once.
state=$(cd "$REPO" && find accrochage accrochage_certificateur -type f -not -name '*.pyc' \
    -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-16)
stamp="$REPO/.venv/.demo-$db"
if psql -d postgres -lqt | cut -d'|' -f1 | grep -qw "$db"; then
    if [ "$(cat "$stamp" 2>/dev/null)" != "$state" ]; then
        say "La base $db existe déjà : mise à jour du module."
        "${odoo[@]}" -u accrochage_certificateur --stop-after-init
        "${ODOO_RUN[@]}" shell "${options[@]}" --no-http <"$REPO/scripts/demo_build_deposit.py"
    fi
else
    say "Création de la base $db (en français, avec les données de démonstration)…"
    "${odoo[@]}" --with-demo --load-language=fr_FR -i accrochage_certificateur --stop-after-init
    "${ODOO_RUN[@]}" shell "${options[@]}" --no-http <"$REPO/scripts/demo_build_deposit.py"
fi
echo "$state" >"$stamp" 2>/dev/null || true

url="http://localhost:$ODOO_PORT"
cat <<TXT

Odoo est prêt : $url (identifiant admin, mot de passe admin).
Trois écrans pour commencer :
  1. Événements › Certifications › À corriger : les passages à compléter ou rejetés ;
  2. Événements › Certifications › Dépôts : le dépôt construit, ses fichiers XML ;
  3. Événements › Certifications › Analyse › Indicateurs : réussite, abandon et insertion par
     certification et par année ; Analyse › Bilan de certification : le bilan imprimable
     (PDF si wkhtmltopdf est installé, HTML sinon) et l'export CSV des indicateurs.
TXT
if [ "${DEMO_SERVE:-1}" = 0 ]; then
    say "DEMO_SERVE=0 : Odoo n'est pas lancé. Pour le lancer : make demo"
    exit 0
fi
say "Odoo tourne au premier plan sur $url ; Ctrl-C pour l'arrêter."
exec "${odoo[@]}" --http-port="$ODOO_PORT" --log-level=info
