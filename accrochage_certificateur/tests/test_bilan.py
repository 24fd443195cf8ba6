import csv
import io

from markupsafe import escape

from odoo.tests import tagged

from .common import nir_with_key
from .indicators_common import Y1, Y2, IndicatorCase

NBSP = "\N{NO-BREAK SPACE}"
BILAN = "accrochage_certificateur.action_report_accrochage_bilan"


@tagged("post_install", "-at_install")
class TestBilan(IndicatorCase):
    """The Bilan de certification and the indicators' CSV, in French, with the figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["accrochage_certificateur"], ["fr_FR"], overwrite=True
        )
        cls.company.partner_id.lang = "fr_FR"

    def _render(self, certification, year):
        html, kind = self.env["ir.actions.report"]._render_qweb_html(
            BILAN, certification.ids, data={"year": year}
        )
        self.assertEqual(kind, "html")
        return html.decode()

    def test_bilan_shows_the_figures_in_french(self):
        nir = nir_with_key("2900569123456")
        self.a1.partner_id.sudo().accrochage_nir = nir
        html = self._render(self.certification, Y2)
        for expected in (
            "Bilan de certification",
            "RNCP34999",
            f"66,7{NBSP}%",  # success: 4 admitted / 6 present
            f"12,5{NBSP}%",  # dropout: 1 / 8
            f"75,0{NBSP}%",  # S1: 3 / 4
            f"50,0{NBSP}%",  # S2: 1 / 2, and insertion at 6 months: 1 / 2
            "Taux de réussite",
            "6 mois après la délivrance",
            "Déclaration à la Caisse des Dépôts",
            "Admis / présents",  # a definition
        ):
            self.assertIn(str(escape(expected)), html, expected)
        # the session spanning two years is in this year's Bilan
        self.assertIn(str(escape(self.s2.name)), html)
        # the deposit table: 2 accepted, 4 late, 75 and 120 days
        deposit = html[html.index("o_accrochage_bilan_deposit") :]
        for label, value in (
            ("Acceptés par la CDC", "2"),
            ("En retard", "4"),
            ("Délai jusqu&#39;à l&#39;acceptation (moyenne)", "75"),
            ("Délai jusqu&#39;à l&#39;acceptation (max)", "120"),
        ):
            cell = deposit[deposit.index(label) :]
            self.assertRegex(cell[:200], rf">{value}<", label)
        # a chart drawn on the server: SVG with the five years, the success bar of Y2
        chart = html[html.index("<svg") : html.index("</svg>")]
        for year in range(Y2 - 4, Y2 + 1):
            self.assertIn(f">{year}<", chart)
        self.assertIn(f">66,7{NBSP}%<", chart)
        self.assertNotIn("<script", chart)
        # names of sessions, never a holder's identity
        for secret in (nir, nir[:13], self.a1.partner_id.name, "1990-05-17", "17/05/1990"):
            self.assertNotIn(secret, html)

    def test_bilan_of_a_year_nobody_was_present(self):
        html = self._render(self.certification, Y1)
        self.assertIn(str(escape(self.s3.name)), html)
        self.assertNotIn(str(escape(self.s2.name)), html)  # it counts in Y2
        results = html[html.index("o_accrochage_bilan_total") :]
        self.assertIn(f"50,0{NBSP}%", results[:2000])  # dropout 1 / 2
        self.assertIn("—", results[:2000])  # no success rate: nobody was present

    def test_csv_export(self):
        wizard = (
            self.env["accrochage.bilan.wizard"]
            .with_user(self.user_manager)
            .with_context(lang="fr_FR")
            .create(
                {
                    "certification_ids": [(6, 0, (self.certification | self.cert_b).ids)],
                    "year": Y2,
                    "first_year": Y1,
                }
            )
        )
        data = wizard._indicators_csv().decode("utf-8-sig")
        header, *rows = list(csv.reader(io.StringIO(data), delimiter=";"))
        lines = {(row[0], row[2]): dict(zip(header, row, strict=True)) for row in rows}
        self.assertEqual(
            sorted(lines), [("RNCP34999", str(Y1)), ("RNCP34999", str(Y2)), ("RS6543", str(Y2))]
        )
        a_y2 = lines["RNCP34999", str(Y2)]
        self.assertEqual(a_y2["Inscrits"], "8")
        self.assertEqual(a_y2["Présents"], "6")
        self.assertEqual(a_y2["Taux de réussite (%)"], "66,7")
        self.assertEqual(a_y2["Taux d'abandon (%)"], "12,5")
        self.assertEqual(a_y2["Nombre de certifiés"], "5")
        self.assertEqual(a_y2["Taux d'insertion global à 6 mois (%)"], "50,0")
        self.assertEqual(a_y2["Taux de réponse à 6 mois (%)"], "66,7")
        self.assertEqual(a_y2["Taux d'insertion global à 12 mois (%)"], "")  # nobody answered
        self.assertEqual(a_y2["Passages en retard"], "4")
        self.assertEqual(lines["RNCP34999", str(Y1)]["Taux de réussite (%)"], "")
        # a title a spreadsheet would run as a formula is written as text
        self.assertEqual(lines["RS6543", str(Y2)][header[1]], "'=2+3 Habilitation")

    def test_wizard_prints_the_bilan_of_its_year(self):
        wizard = (
            self.env["accrochage.bilan.wizard"]
            .with_user(self.user_manager)
            .create({"certification_ids": [(6, 0, self.certification.ids)], "year": Y2})
        )
        action = wizard.action_print()
        self.assertEqual(action["report_name"], "accrochage_certificateur.report_bilan")
        self.assertEqual(action["data"], {"year": Y2, "ids": self.certification.ids})
        self.assertEqual(action["context"]["active_ids"], self.certification.ids)
