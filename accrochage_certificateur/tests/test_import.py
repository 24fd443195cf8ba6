import base64

from lxml import html

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AccrochageCase

HEADER = "4.1;4.2;5.1;5.4;5.5;5.10;5.12;5.14;7.1;8.1;8.3;8.6;8.7;8.9;8.10;8.12\n"
ROW = "RNCP;RNCP34999;{id};PAR_ADMISSION;true;2026-10-01;false;false;{access};{name};{first};"
ROW += "{year};{month};{sex};{insee};{city}"


def row(ident, **values):
    defaults = {
        "access": "CANDIDAT_LIBRE",
        "name": "DUPONT",
        "first": "Jean",
        "year": "1980",
        "month": "",
        "sex": "M",
        "insee": "75056",
        "city": "Paris",
    }
    return ROW.format(id=ident, **{**defaults, **values})


@tagged("post_install", "-at_install")
class TestImport(AccrochageCase):
    """CSV in the CDC template layout → preview of every finding, then passages."""

    def _wizard(self, rows):
        data = (HEADER + "".join(line + "\n" for line in rows)).encode()
        return (
            self.env["accrochage.passage.import"]
            .with_user(self.user_certif)
            .create({"file": base64.b64encode(data), "filename": "vae.csv"})
        )

    def _imported(self, *idents):
        return self.env["accrochage.passage"].search(
            [("id_technique", "in", idents)], order="id_technique"
        )

    def test_preview_then_import_only_clean_rows(self):
        wizard = self._wizard(
            [row("IMP-1"), row("IMP-2", access="VAE", name="DURAND", first="Marie", sex="")]
        )
        wizard.action_preview()
        self.assertEqual((wizard.row_count, wizard.clean_count, wizard.step), (2, 1, "preview"))
        # no sex on row 3 blocks; no VAE route is only asked by the template (a warning)
        self.assertEqual((wizard.blocking_count, wizard.warning_count > 0), (1, True))
        self.assertIn("#8.9", wizard.preview_html)
        self.assertIn("#7.2", wizard.preview_html)
        self.assertFalse(self._imported("IMP-1", "IMP-2"))
        # importing everything is refused while a row is blocked: nothing written
        with self.assertRaisesRegex(UserError, "blocking"):
            wizard.action_confirm()
        self.assertFalse(self._imported("IMP-1", "IMP-2"))

        action = wizard.action_confirm_clean()
        done = self._imported("IMP-1", "IMP-2")
        self.assertEqual(done.mapped("id_technique"), ["IMP-1"])
        self.assertEqual(done.state, "ready")
        self.assertEqual(done.certification_id, self.certification)
        self.assertEqual(done.partner_id.accrochage_birth_name, "DUPONT")
        self.assertIn("1", action["name"])  # says a row was left out
        self.assertFalse(self.env["res.partner"].search([("accrochage_birth_name", "=", "DURAND")]))

    def test_duplicate_and_known_ids_flagged_before_import(self):
        self._make_ready_passages(1).id_technique = "IMP-KNOWN"
        wizard = self._wizard(
            [
                row("IMP-DUP", name="DUPONT"),
                row("IMP-DUP", name="MARTIN"),
                row("IMP-KNOWN"),
                row("IMP-OK"),
            ]
        )
        wizard.action_preview()
        self.assertEqual(wizard.clean_count, 1)
        self.assertIn("IMP-DUP", wizard.preview_html)
        # the engine pipeline's own check: both rows name each other, and the
        # passage of this database that already carries IMP-KNOWN is named
        text = html.fromstring(wizard.preview_html).text_content()
        self.assertRegex(text, r"« IMP-DUP » est aussi porté par (la ligne|row) 3")
        self.assertRegex(text, r"« IMP-DUP » est aussi porté par (la ligne|row) 2")
        self.assertRegex(text, r"« IMP-KNOWN » est aussi porté par (le passage|the passage)")
        wizard.action_confirm_clean()
        self.assertEqual(
            self._imported("IMP-DUP", "IMP-KNOWN", "IMP-OK").mapped("id_technique"),
            ["IMP-KNOWN", "IMP-OK"],
        )
        self.assertEqual(self._imported("IMP-KNOWN").partner_id.name, "Titulaire 0")

    def test_impossible_civil_status_never_written(self):
        partners = self.env["res.partner"].search_count([])
        wizard = self._wizard([row("IMP-13", month="13"), row("IMP-FUT", year="2090")])
        wizard.action_preview()
        self.assertEqual(wizard.clean_count, 0)
        # each problem said once, by the rules or by the contact's own checks
        rows = [
            " ".join(cell.text_content() for cell in tr)
            for tr in html.fromstring(wizard.preview_html).xpath("//tbody/tr")
        ]
        self.assertEqual(len(rows), len(set(rows)))
        self.assertTrue(any(r.startswith("2 ") and "8.7" in r for r in rows))
        self.assertIn("8.7", wizard.preview_html)
        self.assertIn("futur", wizard.preview_html)
        with self.assertRaises(UserError):
            wizard.action_confirm_clean()
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_born_abroad_row_gets_a_country(self):
        wizard = self._wizard([row("IMP-ES", insee="99134", city="Madrid")])
        wizard.action_preview()
        wizard.action_confirm_clean()
        holder = self._imported("IMP-ES").partner_id
        self.assertEqual(holder.accrochage_birth_country_id, self.env.ref("base.es"))
        self.assertFalse(holder.accrochage_birth_insee)
        facts = holder._accrochage_identity()[holder.id]
        self.assertEqual((facts["codeInsee"], facts["codePaysNaissance"]), ("99134", "134"))

    def test_unknown_certification_writes_nothing(self):
        wizard = self._wizard(
            [row("IMP-3").replace("RNCP34999", "RS00001").replace("RNCP;", "RS;", 1)]
        )
        wizard.action_preview()
        self.assertIn("RS00001", wizard.preview_html)
        partners = self.env["res.partner"].search_count([])
        with self.assertRaises(UserError):
            wizard.action_confirm()
        with self.assertRaises(UserError):
            wizard.action_confirm_clean()
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertFalse(self._imported("IMP-3"))
