import base64

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AccrochageCase

HEADER = "4.1;4.2;5.1;5.4;5.5;5.10;5.12;5.14;7.1;8.1;8.3;8.6;8.9;8.10;8.12\n"


@tagged("post_install", "-at_install")
class TestImport(AccrochageCase):
    """CSV in the CDC template layout → preview of every finding, then passages."""

    def _wizard(self, rows):
        data = (HEADER + "".join(row + "\n" for row in rows)).encode()
        return (
            self.env["accrochage.passage.import"]
            .with_user(self.user_certif)
            .create({"file": base64.b64encode(data), "filename": "vae.csv"})
        )

    def test_preview_then_import(self):
        wizard = self._wizard(
            [
                "RNCP;RNCP34999;IMP-1;PAR_ADMISSION;true;2026-10-01;false;false;"
                "CANDIDAT_LIBRE;DUPONT;Jean;1980;M;75056;Paris",
                "RNCP;RNCP34999;IMP-2;PAR_ADMISSION;true;2026-10-01;false;false;"
                "VAE;DURAND;Marie;1985;;75056;Paris",
            ]
        )
        Passage = self.env["accrochage.passage"]
        wizard.action_preview()
        self.assertEqual((wizard.row_count, wizard.step), (2, "preview"))
        self.assertEqual(wizard.blocking_count, 2)  # no sex, no VAE route on row 3
        self.assertIn("#8.9", wizard.preview_html)
        self.assertIn("#7.2", wizard.preview_html)
        self.assertFalse(Passage.search([("id_technique", "in", ("IMP-1", "IMP-2"))]))

        wizard.action_confirm()
        done = Passage.search([("id_technique", "in", ("IMP-1", "IMP-2"))], order="id_technique")
        self.assertEqual(done.mapped("state"), ["ready", "incomplete"])
        self.assertEqual(done.certification_id, self.certification)
        self.assertEqual(done[0].partner_id.accrochage_birth_name, "DUPONT")
        self.assertEqual(done[1].fix_target, "partner")

    def test_unknown_certification_writes_nothing(self):
        wizard = self._wizard(
            [
                "RS;RS00001;IMP-3;PAR_ADMISSION;true;2026-10-01;false;false;"
                "CANDIDAT_LIBRE;DUPONT;Jean;1980;M;75056;Paris"
            ]
        )
        wizard.action_preview()
        self.assertIn("RS00001", wizard.preview_html)
        partners = self.env["res.partner"].search_count([])
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertFalse(self.env["accrochage.passage"].search([("id_technique", "=", "IMP-3")]))
