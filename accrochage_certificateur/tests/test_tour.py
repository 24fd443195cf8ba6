import base64
import datetime
import logging
import os
import shutil
import tempfile
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import ChromeBrowser

_logger = logging.getLogger(__name__)

#: the tour asks for a screenshot by logging this prefix and a name
SIGNAL = "accrochage-screenshot:"
#: ... and for a viewport tall enough to show a whole form, first
VIEWPORT = "accrochage-viewport"
AWARD = datetime.date.today() - datetime.timedelta(days=10)


def screenshot_dir():
    """Where the screenshots go: $ACCROCHAGE_SCREENSHOTS, or a temporary directory."""
    path = os.environ.get("ACCROCHAGE_SCREENSHOTS") or os.path.join(
        tempfile.gettempdir(), "accrochage-screenshots"
    )
    os.makedirs(path, exist_ok=True)
    return path


@tagged("post_install", "-at_install")
class TestCertifierDay(HttpCase):
    """The certifier's day in a browser, in French: an Odoo tour (web_tour)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["base", "web", "mail", "event", "accrochage_certificateur"], ["fr_FR"], overwrite=True
        )
        cls.user = new_test_user(
            cls.env,
            login="accrochage_tour",
            groups="base.group_user,event.group_event_manager,"
            "accrochage_certificateur.group_accrochage_manager",
            lang="fr_FR",
            tz="Europe/Paris",
        )
        certifier = cls.env["accrochage.certifier"].create(
            {
                "partner_id": cls.env["res.partner"]
                .create({"name": "Institut de la visite", "is_company": True})
                .id,
                "id_client": "12ABC345",
                "id_contrat": "MCFCER000123",
            }
        )
        certification = cls.env["accrochage.certification"].create(
            {
                "name": "Gestionnaire de paie (visite)",
                "code": "RNCP34997",
                "certifier_id": certifier.id,
            }
        )
        cls.formation = cls.env["event.type"].create(
            {"name": "Formation paie visite", "accrochage_certification_id": certification.id}
        )
        session = cls.env["event.event"].create(
            {
                "name": "Session de juin visite",
                "event_type_id": cls.formation.id,
                "date_begin": datetime.datetime.combine(AWARD, datetime.time(8))
                - datetime.timedelta(days=30),
                "date_end": datetime.datetime.combine(AWARD, datetime.time(17)),
                "accrochage_exam_date_start": AWARD - datetime.timedelta(days=1),
                "accrochage_exam_date_end": AWARD - datetime.timedelta(days=1),
                "accrochage_exam_mode": "EN_PRESENTIEL",
            }
        )
        person = cls.env["res.partner"].create(
            {
                "name": "Élodie Visite",
                "accrochage_birth_name": "VISITE",
                "accrochage_first_name1": "Élodie",
                "accrochage_sex": "F",
                "accrochage_birth_year": 1990,
                "accrochage_birth_month": 5,
                "accrochage_birth_day": 17,
                "accrochage_birth_insee": "69123",
            }
        )
        employer = cls.env["res.partner"].create(
            {"name": "Transports de la visite", "is_company": True}
        )
        result = {
            "accrochage_result": "admitted",
            "accrochage_award_date": AWARD,
            "accrochage_access_mode": "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION",
        }
        cls.env["event.registration"].create(
            [
                {"event_id": session.id, "partner_id": person.id, **result},
                {
                    "event_id": session.id,
                    "partner_id": employer.id,
                    "name": "Nadia Tourneur",
                    "email": "nadia.tourneur@example.com",
                    **result,
                },
            ]
        )
        # the holder made from the attendee: civil status typed, but for the sex
        holder = cls.env["res.partner"].search([("name", "=", "Nadia Tourneur")])
        holder.write(
            {
                "accrochage_birth_name": "TOURNEUR",
                "accrochage_first_name1": "Nadia",
                "accrochage_birth_year": 1988,
                "accrochage_birth_month": 3,
                "accrochage_birth_day": 12,
                "accrochage_birth_insee": "33063",
            }
        )
        cls.certif_session = session

    def test_certifier_day(self):
        if not shutil.which("chromium") and not shutil.which("google-chrome"):
            self.skipTest("no browser on this machine")
        directory = screenshot_dir()
        taken = []
        original = ChromeBrowser._handle_console

        def handle_console(browser, type, args=None, stackTrace=None, **kw):  # noqa: A002
            first = (args or [{}])[0].get("value")
            if first == VIEWPORT:
                browser._websocket_send(
                    "Emulation.setDeviceMetricsOverride",
                    params={"width": 1366, "height": 1100, "deviceScaleFactor": 1, "mobile": False},
                )
            if isinstance(first, str) and first.startswith(SIGNAL):
                name = first[len(SIGNAL) :]
                path = os.path.join(directory, f"{name}.png")

                def save(future, path=path):
                    data = (future.result(timeout=0) or {}).get("data")
                    if data:
                        with open(path, "wb") as handle:
                            handle.write(base64.b64decode(data))
                        taken.append(path)

                future = browser._websocket_send("Page.captureScreenshot", with_future=True)
                if future:
                    future.add_done_callback(save)
            return original(browser, type, args=args, stackTrace=stackTrace, **kw)

        with patch.object(ChromeBrowser, "_handle_console", handle_console):
            self.start_tour(
                f"/odoo/action-event.action_event_type/{self.formation.id}",
                "accrochage_certifier_day",
                login="accrochage_tour",
                timeout=400,
            )
        _logger.info(
            "Screenshots of the certifier's day in %s: %s",
            directory,
            ", ".join(sorted(os.path.basename(path) for path in taken)),
        )
        self.assertEqual(
            {os.path.basename(path) for path in taken},
            {
                "attendee_form.png",
                "to_fix.png",
                "holder_form.png",
                "deposit_form.png",
                "to_fix_after_receipt.png",
            },
        )
        # what the browser did is in the database
        passages = self.certif_session.accrochage_passage_ids
        rejected = passages.filtered(lambda p: p.state == "rejected")
        self.assertEqual(rejected.partner_id.name, "Nadia Tourneur")
        self.assertEqual(rejected.partner_id.accrochage_sex, "F")
        self.assertEqual((passages - rejected).state, "accepted")
