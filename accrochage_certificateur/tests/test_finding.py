import ast

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AccrochageCase


@tagged("post_install", "-at_install")
class TestFinding(AccrochageCase):
    """Certifications found by code or title, created from a formation; screens in order."""

    def setUp(self):
        super().setUp()
        # one certifier account in the company (the demo data may add one)
        self.env["accrochage.certifier"].search([("id", "!=", self.certifier.id)]).action_archive()

    def test_found_by_code_or_title(self):
        Certification = self.env["accrochage.certification"]
        for text in ("RNCP34999", "34999", "paie", "Gestionnaire"):
            with self.subTest(text=text):
                names = Certification.name_search(text)
                self.assertIn(self.certification.id, [ident for ident, _name in names], text)

    def test_quick_create_from_the_formation_form(self):
        Certification = self.env["accrochage.certification"]
        ident, name = Certification.name_create("RS5899 Anglais professionnel")
        created = Certification.browse(ident)
        self.assertEqual(
            (created.certification_type, created.code, created.name, created.certifier_id),
            ("RS", "RS5899", "Anglais professionnel", self.certifier),
        )
        self.assertEqual(name, "RS5899 — Anglais professionnel")
        with self.assertRaisesRegex(UserError, "Create and edit"):
            Certification.name_create("Anglais sans code")
        # "Create and edit…": the code typed goes into the code field
        defaults = Certification.with_context(default_name="rncp 35726 Paie").default_get(
            ["name", "code", "certification_type", "certifier_id"]
        )
        self.assertEqual(
            (defaults["code"], defaults["certification_type"], defaults["name"]),
            ("RNCP35726", "RNCP", "Paie"),
        )
        self.assertEqual(defaults["certifier_id"], self.certifier.id)

    def test_quick_create_needs_one_certifier(self):
        self.env["accrochage.certifier"].create(
            {
                "partner_id": self.env["res.partner"]
                .create({"name": "Second", "is_company": True})
                .id,
                "id_client": "12ABC346",
                "id_contrat": "MCFCER000124",
            }
        )
        with self.assertRaisesRegex(UserError, "certifier account"):
            self.env["accrochage.certification"].name_create("RS5876 Autre")

    def test_kanban_columns_in_workflow_order(self):
        self._make_ready_passages(1)
        groups = (
            self.env["accrochage.passage"]
            .with_context(read_group_expand=True)
            .web_read_group([], ["state"], ["__count"])["groups"]
        )
        self.assertEqual(
            [group["state"] for group in groups],
            ["incomplete", "ready", "exported", "accepted", "rejected"],
        )

    def test_settings_menu_lands_on_the_block(self):
        action = self.env.ref("accrochage_certificateur.accrochage_config_settings_action")
        self.assertEqual(ast.literal_eval(action.context)["module"], "accrochage_certificateur")
        arch = etree.fromstring(self.env["res.config.settings"].get_view(view_type="form")["arch"])
        app = arch.find(".//app[@name='accrochage_certificateur']")
        self.assertIsNotNone(app)
        self.assertIsNotNone(app.find(".//block[@name='accrochage_setting_container']"))
        menu = self.env.ref("accrochage_certificateur.menu_accrochage_settings")
        self.assertEqual(menu.action, action)

    def test_formation_lists_its_sessions(self):
        self.assertEqual(self.formation.accrochage_session_count, 1)
        action = self.formation.action_view_accrochage_sessions()
        self.assertEqual(self.env["event.event"].search(action["domain"]), self.session)
