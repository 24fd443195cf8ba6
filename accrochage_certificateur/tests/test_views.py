import datetime
import shutil

from odoo.tests import HttpCase, tagged

ACTIONS = (
    "accrochage_certificateur.accrochage_passage_action",
    "accrochage_certificateur.accrochage_passage_action_fix",
    "accrochage_certificateur.accrochage_deposit_action",
    "accrochage_certificateur.accrochage_certification_action",
    "accrochage_certificateur.accrochage_certifier_action",
    "accrochage_certificateur.accrochage_receipt_import_action",
    "accrochage_certificateur.accrochage_passage_import_action",
    "event.action_event_view",
    "event.action_event_type",
    "event.event_registration_action",
    "base.action_partner_form",
    "accrochage_certificateur.accrochage_config_settings_action",
    "accrochage_certificateur.accrochage_report_session_action",
    "accrochage_certificateur.accrochage_report_deadline_action",
    "accrochage_certificateur.accrochage_insertion_survey_action",
    "accrochage_certificateur.accrochage_bilan_wizard_action",
)

#: waits for the action's view to be rendered; any console error fails the test
RENDERED = """
(async () => {
    for (let i = 0; i < 200; i++) {
        if (document.querySelector(%r)) {
            console.log("test successful");
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.error("the view was not rendered: %s");
})();
"""


@tagged("post_install", "-at_install")
class TestViews(HttpCase):
    """Every screen of the module loads for a manager, in the web client too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.env["res.users"].create(
            {
                "name": "Responsable certification",
                "login": "accrochage_views",
                "password": "accrochage_views",
                "group_ids": [
                    (
                        6,
                        0,
                        [
                            cls.env.ref("accrochage_certificateur.group_accrochage_manager").id,
                            cls.env.ref("base.group_system").id,
                        ],
                    )
                ],
            }
        )

    def test_views_load(self):
        for xmlid in ACTIONS:
            action = self.env["ir.actions.act_window"].with_user(self.manager)._for_xml_id(xmlid)
            model = self.env[action["res_model"]].with_user(self.manager)
            view_types = [view_type for _id, view_type in action["views"]]
            views = model.get_views(
                [(False, view_type) for view_type in view_types] + [(False, "search")]
            )
            for view_type in view_types:
                self.assertIn(view_type, views["views"], xmlid)
        self.authenticate("accrochage_views", "accrochage_views")
        for path in (
            "certification-passages",
            "certification-to-fix",
            "certification-deposits",
            "certifications",
        ):
            response = self.url_open(f"/odoo/{path}")
            self.assertEqual(response.status_code, 200, path)

    def _data(self):
        certifier = self.env["accrochage.certifier"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Institut vues"}).id,
                "id_client": "12ABC345",
                "id_contrat": "MCFCER000123",
            }
        )
        certification = self.env["accrochage.certification"].create(
            {"name": "Vues", "code": "RNCP34998", "certifier_id": certifier.id}
        )
        holder = self.env["res.partner"].create(
            {"name": "Titulaire vues", "accrochage_birth_name": "VUES", "accrochage_sex": "F"}
        )
        passage, _due_soon = self.env["accrochage.passage"].create(
            [
                {
                    "partner_id": holder.id,
                    "certification_id": certification.id,
                    "award_date": datetime.date.today() - datetime.timedelta(days=days),
                }
                for days in (0, 70)
            ]
        )
        event = self.env["event.event"].create(
            {
                "name": "Session vues",
                "date_begin": datetime.datetime.now(),
                "date_end": datetime.datetime.now() + datetime.timedelta(days=1),
                "accrochage_certification_id": certification.id,
            }
        )
        deposit = self.env["accrochage.deposit"].create(
            {"certifier_id": certifier.id, "schema_version": "1.1.2"}
        )
        return passage, event, deposit, holder

    def test_screens_in_browser(self):
        """The main screens render in Chrome without a JavaScript error."""
        if not shutil.which("chromium") and not shutil.which("google-chrome"):
            self.skipTest("no browser on this machine")
        passage, event, deposit, holder = self._data()
        screens = (
            ("/odoo/certification-passages", ".o_list_view"),
            ("/odoo/certification-passages?view_type=kanban", ".o_kanban_view"),
            (f"/odoo/certification-passages/{passage.id}", ".o_form_view"),
            ("/odoo/certification-to-fix", ".o_list_view"),
            ("/odoo/certification-deposits", ".o_list_view"),
            (f"/odoo/certification-deposits/{deposit.id}", ".o_form_view"),
            ("/odoo/certifications", ".o_list_view"),
            ("/odoo/certification-results", ".o_pivot_view"),
            ("/odoo/certification-results?view_type=graph", ".o_graph_view"),
            ("/odoo/certification-deadlines", ".o_list_view"),
            ("/odoo/certification-deadlines?view_type=pivot", ".o_pivot_view"),
            ("/odoo/certification-insertion-surveys", ".o_list_view"),
            (f"/odoo/action-event.action_event_view/{event.id}", ".o_form_view"),
            (f"/odoo/action-base.action_partner_form/{holder.id}", ".o_form_view"),
            # the "Settings" menu of Certifications lands on its own settings page
            (
                "/odoo/action-accrochage_certificateur.accrochage_config_settings_action",
                ".app_settings_block[data-key=accrochage_certificateur] .o_settings_container",
            ),
        )
        for url, selector in screens:
            with self.subTest(url=url):
                self.browser_js(
                    url,
                    RENDERED % (selector, url),
                    ready="odoo.isReady",
                    login="accrochage_views",
                    timeout=60,
                )

    def test_manager_reports_from_the_menu(self):
        """A manager opens the indicators, the deadline board and the Bilan from the menu."""
        if not shutil.which("chromium") and not shutil.which("google-chrome"):
            self.skipTest("no browser on this machine")
        self._data()
        # a company that printed before: no layout configurator on the first print
        self.env.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        if shutil.which("wkhtmltopdf"):
            # the tour reads the Bilan in the page; with wkhtmltopdf it would download a PDF
            self.env.ref(
                "accrochage_certificateur.action_report_accrochage_bilan"
            ).report_type = "qweb-html"
        self.start_tour(
            "/odoo", "accrochage_manager_reports", login="accrochage_views", timeout=120
        )
