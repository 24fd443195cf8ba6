import datetime
import shutil

from odoo.tests import HttpCase, new_test_user, tagged

from .common import CONTINUING, AccrochageCase

TODAY = datetime.date.today()


@tagged("post_install", "-at_install")
class TestCorrectionTour(HttpCase):
    """A manager handles a correction request in a browser, from arrival to closure."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.company.accrochage_schema_version = "1.1.2"
        cls.manager = new_test_user(
            cls.env,
            login="accrochage_correction_tour",
            groups="base.group_user,event.group_event_manager,"
            "accrochage_certificateur.group_accrochage_manager",
            tz="Europe/Paris",
        )
        certifier = cls.env["accrochage.certifier"].create(
            {
                "partner_id": cls.env["res.partner"]
                .create({"name": "Institut des corrections", "is_company": True})
                .id,
                "id_client": "12ABC345",
                "id_contrat": "MCFCER000123",
            }
        )
        certification = cls.env["accrochage.certification"].create(
            {
                "name": "Gestionnaire de paie (corrections)",
                "certification_type": "RNCP",
                "code": "RNCP34999",
                "certifier_id": certifier.id,
            }
        )
        passages = cls.env["accrochage.passage"].create(
            [
                {
                    "partner_id": cls.env["res.partner"]
                    .create(AccrochageCase._holder_vals(index, name=name))
                    .id,
                    "certification_id": certification.id,
                    "award_date": TODAY - datetime.timedelta(days=20),
                    "exam_date_start": TODAY - datetime.timedelta(days=20),
                    "exam_date_end": TODAY - datetime.timedelta(days=20),
                    "access_mode": CONTINUING,
                }
                for index, name in enumerate(("Titulaire Visite", "Titulaire en retard"))
            ]
        )
        cls.passage, late = passages
        cls.passage.state = "accepted"
        cls.env["accrochage.correction.request"].create(
            {
                "source": "cdc",
                "received_date": TODAY - datetime.timedelta(days=120),
                "passage_ids": [(6, 0, late.ids)],
                "user_id": cls.manager.id,
            }
        )

    def test_manager_handles_a_request(self):
        if not shutil.which("chromium") and not shutil.which("google-chrome"):
            self.skipTest("no browser on this machine")
        self.start_tour(
            f"/odoo/action-accrochage_certificateur.accrochage_passage_action/{self.passage.id}",
            "accrochage_correction_request",
            login="accrochage_correction_tour",
            timeout=200,
        )
        request = self.env["accrochage.correction.request"].search(
            [("passage_ids", "in", self.passage.ids)]
        )
        self.assertEqual(request.state, "unfounded")
        self.assertIn("DUPONT-MARTIN", request.description)
        self.assertIn("acte de naissance", request.justification)
        self.assertEqual(request.source, "holder")
        self.assertTrue(request.deadline > TODAY)
