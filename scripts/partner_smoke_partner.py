# The partner organisation's side of scripts/partner-smoke.sh, run inside
# `odoo shell` (which provides `env`); PARTNER_SMOKE_STEP says which step:
#   push – the settings point at the certifier (PARTNER_SMOKE_URL,
#          PARTNER_SMOKE_DB, PARTNER_SMOKE_KEY), two passages of the
#          certification (one complete, one without the holder's sex) are
#          transmitted with "Transmit to the certifier";
#   pull – the cron that reads the certifier's status back runs, and the
#          complete passage shows it accepted by the CDC.
# A failed check ends with SystemExit and its French reason.
# ruff: noqa: F821
import datetime
import os

from odoo import fields

CODE = "RNCP34999"
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

if step == "push":
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
