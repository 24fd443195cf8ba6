# The certifier's side of scripts/partner-smoke.sh, run inside `odoo shell`
# (which provides `env`); PARTNER_SMOKE_STEP says which step:
#   setup   – a partner organisation habilitated for a certification, its
#             technical user and an API key (printed on a PARTNER_SMOKE_KEY= line
#             for the script, never shown);
#   receipt – the pushed passages are in Prêt / À corriger; the ready one is
#             deposited, marked sent, and a CDC receipt accepting it imported.
# A failed check ends with SystemExit and its French reason.
# ruff: noqa: F821
import base64
import datetime
import os

from odoo import fields
from odoo.tools.safe_eval import safe_eval

CODE = "RNCP34999"
ORGANISATION = "Formations Rhône"


def check(condition, message):
    if not condition:
        raise SystemExit(f"ÉCHEC : {message}")


def say(message):
    print(f"  - {message}", flush=True)


# the French user a certifier or a training organisation has
env.ref("base.user_admin").lang = "fr_FR"
admin = env(user=env.ref("base.user_admin"), context={"lang": "fr_FR", "tracking_disable": True})
step = os.environ.get("PARTNER_SMOKE_STEP")

if step == "setup":
    certifier = admin["accrochage.certifier"].create(
        {
            "partner_id": admin["res.partner"]
            .create({"name": "Institut du smoke test", "is_company": True})
            .id,
            "id_client": "12ABC345",
            "id_contrat": "MCFCER000123",
        }
    )
    certification = admin["accrochage.certification"].create(
        {
            "name": "Gestionnaire de paie",
            "certification_type": "RNCP",
            "code": CODE,
            "certifier_id": certifier.id,
        }
    )
    organisation = admin["accrochage.partner.organisation"].create(
        {
            "partner_id": admin["res.partner"]
            .create(
                {"name": ORGANISATION, "is_company": True, "company_registry": "73282932000074"}
            )
            .id,
            "nda": "84691234569",
            "habilitation_ids": [
                fields.Command.create(
                    {
                        "certification_id": certification.id,
                        "habilitation": "both",
                        "date_start": fields.Date.today() - datetime.timedelta(days=365),
                        "state": "active",
                    }
                )
            ],
        }
    )
    check(organisation.state == "active", f"l'organisme est « {organisation.state} », pas actif")
    say(f"organisme partenaire « {organisation.name} » habilité (actif) pour {CODE}")
    # the button of the organisation's form: technical user and key, shown once
    action = organisation.action_generate_api_key()
    key = action["context"]["default_key"]
    check(organisation.user_id, "aucun utilisateur technique créé")
    check(organisation.api_key_count == 1, "la clé d'API n'est pas enregistrée")
    say(
        f"utilisateur technique « {organisation.user_id.name} », clé d'API valable "
        f"jusqu'au {fields.Date.to_string(organisation.api_key_expiration)}"
    )
    env.cr.commit()
    print(f"PARTNER_SMOKE_KEY={key}", flush=True)

elif step == "receipt":
    Passage = admin["accrochage.passage"]
    organisation = admin["accrochage.partner.organisation"].search([("name", "=", ORGANISATION)])
    received = Passage.search([("partner_organisation_id", "=", organisation.id)])
    check(len(received) == 2, f"{len(received)} passage(s) reçu(s) du partenaire au lieu de 2")
    to_fix_action = env.ref("accrochage_certificateur.accrochage_passage_action_fix")
    to_fix = Passage.search(safe_eval(to_fix_action.domain)) & received
    ready = Passage.search([("state", "=", "ready")]) & received
    check(len(ready) == 1, f"{len(ready)} passage(s) du partenaire dans Prêt au lieu de 1")
    check(
        to_fix.mapped("state") == ["incomplete"],
        f"À corriger contient {to_fix.mapped('state')} au lieu d'un passage incomplet",
    )
    say(
        f"reçus du partenaire : {ready.partner_reference} dans Prêt, "
        f"{to_fix.partner_reference} dans À corriger (Incomplet)"
    )
    deposit = admin["accrochage.deposit"].browse(ready.action_build_deposit()["res_id"])
    check(deposit.state == "generated", f"dépôt {deposit.state} : {deposit.error_message}")
    deposit.action_mark_sent()
    say(f"dépôt {deposit.name} construit ({deposit.file_count} fichier XML) et marqué envoyé")
    # the accusé de traitement as the CDC writes it (SPEC §4.4), accepting the passage
    receipt = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<rapport xmlns:ns2="urn:cdc:cpf:pc5:rapport:schema">'
        f"<nomFichier>smoke.xml</nomFichier><idFlux>{deposit.id_flux}</idFlux>"
        "<idTraitement>4242</idTraitement><PassagesKO></PassagesKO>"
        f"<PassagesOK><idTechnique>{ready.id_technique}</idTechnique></PassagesOK></rapport>"
    )
    admin["accrochage.receipt.import"].create(
        {"file": base64.b64encode(receipt.encode()), "filename": "smoke.xml"}
    ).action_import()
    admin.invalidate_all()
    check(ready.state == "accepted", f"après l'accusé, le passage est « {ready.state} »")
    say(f"accusé de traitement importé : {ready.partner_reference} accepté par la CDC")
    env.cr.commit()

else:
    raise SystemExit(f"ÉCHEC : étape inconnue « {step} »")
print("PARTNER_SMOKE_STEP_OK", flush=True)
