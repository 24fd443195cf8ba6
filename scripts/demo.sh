#!/usr/bin/env bash
# `make demo`: with Odoo 19, a database with the addon and its demo data and
# a deposit built; without Odoo, the engine demo.
set -euo pipefail
VPY="$1"
source "$(dirname "$0")/odoo-env.sh"

if ! find_odoo; then
    echo "$(odoo_missing_message)"
    echo "Démonstration du moteur seul (pour Odoo : ODOO_SRC=/chemin/odoo-19.0 make demo)."
    echo
    exec "$VPY" -m accrochage.cli demo -o "$REPO/demo-output"
fi

db="${DEMO_DB:-accrochage_demo}"
if psql -lqt | cut -d'|' -f1 | grep -qw "$db"; then
    echo "La base $db existe déjà : mise à jour du module."
    "${ODOO_RUN[@]}" --addons-path="$ODOO_ADDONS" -d "$db" -u accrochage_certificateur \
        --stop-after-init --log-level=warn
else
    "${ODOO_RUN[@]}" --addons-path="$ODOO_ADDONS" -d "$db" --with-demo \
        --load-language=fr_FR -i accrochage_certificateur --stop-after-init --log-level=warn
fi
"${ODOO_RUN[@]}" shell --addons-path="$ODOO_ADDONS" -d "$db" --log-level=warn --no-http \
    <"$REPO/scripts/demo_build_deposit.py"
cat <<TXT

Odoo est prêt. Lancez-le :
  ${ODOO_RUN[*]} --addons-path=$ODOO_ADDONS -d $db
puis ouvrez http://localhost:8069 et connectez-vous avec admin / admin.
Menu Événements › Certifications : Passages, À corriger, Dépôts.
TXT
