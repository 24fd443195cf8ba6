# The two databases' steps of scripts/partner-smoke.sh, run inside `odoo shell`
# (which provides `env`); PARTNER_SMOKE_STEP says which one:
#   setup   – certifier: a partner organisation habilitated for a certification,
#             its technical user and an API key (printed on a PARTNER_SMOKE_KEY=
#             line for the script, never shown);
#   push    – partner: the settings point at the certifier (PARTNER_SMOKE_URL,
#             PARTNER_SMOKE_DB, PARTNER_SMOKE_KEY), two passages of the
#             certification (one complete, one without the holder's sex) are
#             transmitted with "Transmit to the certifier";
#   receipt – certifier: the pushed passages are in Prêt / À corriger; the ready
#             one is deposited, marked sent, and a CDC receipt accepting it imported;
#   pull    – partner: the cron that reads the certifier's status back runs, and
#             the complete passage shows it accepted by the CDC.
# A failed check ends with SystemExit and its French reason.
# ruff: noqa: F821
import base64
import datetime
import os

from odoo import fields
from odoo.tools.safe_eval import safe_eval

CODE = "RNCP34999"
ORGANISATION = "Formations Rhône"
CONTINUING = "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION"


def check(condition, message):
    if not condition:
        raise SystemExit(f"ÉCHEC : {message}")


def say(message):
    print(f"  - {message}", flush=True)


# the French user a certifier or a training organisation has
env.ref("base.user_admin").lang = "fr_FR"
admin = env(user=env.ref("base.user_admin"), context={"lang": "fr_FR", "tracking_disable": True})
step = os.environ.get("PARTNER_SMOKE_STEP")
Passage = admin["accrochage.passage"]


def make_certification():
    """The certification CODE and its certifier, as each database holds them."""
    certifier = admin["accrochage.certifier"].create(
        {
            "partner_id": admin["res.partner"]
            .create({"name": "Institut du smoke test", "is_company": True})
            .id,
            "id_client": "12ABC345",
            "id_contrat": "MCFCER000123",
        }
    )
    return admin["accrochage.certification"].create(
        {
            "name": "Gestionnaire de paie",
            "certification_type": "RNCP",
            "code": CODE,
            "certifier_id": certifier.id,
        }
    )


if step == "setup":
    certification = make_certification()
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

elif step == "push":
    settings = admin["res.config.settings"].create(
        {
            "accrochage_certifier_url": os.environ["PARTNER_SMOKE_URL"],
            "accrochage_certifier_database": os.environ["PARTNER_SMOKE_DB"],
            "accrochage_certifier_api_key": os.environ["PARTNER_SMOKE_KEY"],
        }
    )
    settings.execute()
    company = admin.company
    check(
        company.accrochage_certifier_url == os.environ["PARTNER_SMOKE_URL"]
        and company.accrochage_certifier_api_key == os.environ["PARTNER_SMOKE_KEY"],
        "les paramètres du certificateur ne sont pas enregistrés",
    )
    say(
        f"paramètres : certificateur {company.accrochage_certifier_url}, base "
        f"{company.accrochage_certifier_database}, clé d'API enregistrée"
    )
    # the partner's own records of the certification it prepares candidates for
    certification = make_certification()
    award = fields.Date.today() - datetime.timedelta(days=20)
    holders = admin["res.partner"].create(
        [
            {
                "name": name,
                "accrochage_birth_name": birth_name,
                "accrochage_first_name1": first_name,
                "accrochage_sex": sex,
                "accrochage_birth_year": 1990,
                "accrochage_birth_month": 5,
                "accrochage_birth_day": 17,
                "accrochage_birth_insee": "69123",
                "accrochage_birth_city": "Lyon",
            }
            for name, birth_name, first_name, sex in (
                ("Élodie Martin", "MARTIN", "Élodie", "F"),
                # the holder's sex (#8.9) is missing: Incomplet at the certifier
                ("Karim Benali", "BENALI", "Karim", False),
            )
        ]
    )
    passages = Passage.create(
        [
            {
                "partner_id": holder.id,
                "certification_id": certification.id,
                "award_date": award,
                "exam_date_start": award - datetime.timedelta(days=2),
                "exam_date_end": award - datetime.timedelta(days=1),
                "exam_mode": "EN_PRESENTIEL",
                "exam_postcode": "69003",
                "access_mode": CONTINUING,
                "initiative": "OF",
            }
            for holder in holders
        ]
    )
    complete, incomplete = passages
    say(
        f"passages créés pour {CODE} : {complete.id_technique} (complet), "
        f"{incomplete.id_technique} (sans le sexe du titulaire)"
    )
    # what the server action "Transmit to the certifier" runs
    action = env.ref("accrochage_certificateur.action_server_passage_transmit")
    result = (
        action.with_user(admin.user)
        .with_context(
            active_model="accrochage.passage", active_ids=passages.ids, active_id=complete.id
        )
        .run()
    )
    admin.invalidate_all()
    say(f"« Transmettre au certificateur » : {result['params']['message']}")
    check(
        all(passages.mapped("certifier_sent_date")),
        "les passages ne sont pas marqués transmis",
    )
    check(
        complete.certifier_state == "ready",
        f"le passage complet est « {complete.certifier_state} » chez le certificateur, pas prêt",
    )
    check(
        incomplete.certifier_state == "incomplete",
        f"le passage incomplet est « {incomplete.certifier_state} » chez le certificateur",
    )
    say(f"{complete.id_technique} : {complete.certifier_status_display}")
    say(
        f"{incomplete.id_technique} : {incomplete.certifier_status_display} — "
        f"{incomplete.certifier_message}"
    )
    env.cr.commit()

elif step == "pull":
    passages = Passage.search([("certifier_sent_date", "!=", False)], order="id")
    check(len(passages) == 2, f"{len(passages)} passage(s) transmis au lieu de 2")
    complete, incomplete = passages
    # what the scheduled action "read back the certifier's status" runs
    cron = env.ref("accrochage_certificateur.ir_cron_accrochage_pull_certifier_status")
    check(cron.active, "l'action planifiée de relève des statuts est inactive")
    Passage._cron_pull_certifier_status()
    admin.invalidate_all()
    check(
        admin.company.accrochage_certifier_pulled_on,
        "les statuts n'ont pas été relevés (voir l'avertissement du journal)",
    )
    check(
        complete.certifier_state == "accepted",
        f"après la relève, le passage complet est « {complete.certifier_state} »",
    )
    check(complete.certifier_deposit, "le dépôt du certificateur n'est pas indiqué")
    check(
        incomplete.certifier_state == "incomplete",
        f"après la relève, le passage incomplet est « {incomplete.certifier_state} »",
    )
    say(
        f"{complete.id_technique} : {complete.certifier_status_display}, dépôt "
        f"{complete.certifier_deposit} du {complete.certifier_deposited_on}"
    )
    say(f"{incomplete.id_technique} : {incomplete.certifier_status_display}")
    env.cr.commit()

else:
    raise SystemExit(f"ÉCHEC : étape inconnue « {step} »")
print("PARTNER_SMOKE_STEP_OK", flush=True)
