import base64
import datetime

from markupsafe import escape

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AccrochageCase, nir_with_key, receipt_xml

NOT_FOUND = "Aucun titulaire ne correspond aux critères obligatoires"
TODAY = datetime.date.today()


@tagged("post_install", "-at_install")
class TestReports(AccrochageCase):
    """The managers' analyses and the printable deposit summary."""

    def _totals(self, model, domain):
        """One group over ``domain``, each measure aggregated as the pivot does."""
        Report = self.env[model]
        measures = [
            name
            for name, field in Report._fields.items()
            if field.type in ("integer", "float") and field.aggregator and name != "id"
        ]
        self.env.flush_all()
        (row,) = Report._read_group(
            domain, [], [f"{name}:{Report._fields[name].aggregator}" for name in measures]
        )
        return dict(zip(measures, row, strict=True))

    def test_success_dropout_insertion_rates(self):
        """2 admitted, 1 failed, 1 dropped out: success 2/3, dropout 1/4."""
        admitted = self._make_attendees(self.session, 2)
        failed = self._make_attendees(self.session, 1, result="failed")
        self._make_attendees(self.session, 1, result="dropped")
        admitted[0].accrochage_insertion_status = "employed_field"
        admitted[1].accrochage_insertion_status = "job_seeking"
        failed.accrochage_insertion_status = "unknown"
        # a cancelled registration and another session's attendee are not counted
        self._make_attendees(self.session, 1, result="failed").action_cancel()
        self._make_attendees(self._make_session(name="Autre session"), 3, result="dropped")

        totals = self._totals("accrochage.report.session", [("event_id", "=", self.session.id)])
        self.assertEqual(totals["attendee_count"], 4)
        self.assertEqual(totals["admitted_count"], 2)
        self.assertEqual(totals["assessed_count"], 3)
        self.assertEqual(totals["dropped_count"], 1)
        self.assertAlmostEqual(totals["success_rate"], 200 / 3, places=2)
        self.assertAlmostEqual(totals["dropout_rate"], 25.0, places=2)
        # employed / known situations: "unknown" and empty are left out
        self.assertEqual(totals["insertion_known_count"], 2)
        self.assertAlmostEqual(totals["insertion_rate"], 50.0, places=2)

        by_certification = self._totals(
            "accrochage.report.session", [("certification_id", "=", self.certification.id)]
        )
        self.assertEqual(by_certification["attendee_count"], 7)
        self.assertAlmostEqual(by_certification["dropout_rate"], 400 / 7, places=2)

    def test_deadline_buckets(self):
        passages = self._make_ready_passages(5)
        overdue, week, month, later, declared = passages
        for passage, days in zip(passages, (100, 88, 70, 0, 100), strict=True):
            passage.award_date = TODAY - datetime.timedelta(days=days)
        declared.state = "accepted"
        self.env.flush_all()
        Report = self.env["accrochage.report.deadline"]
        buckets = {
            line.passage_id: line.deadline_bucket
            for line in Report.search([("passage_id", "in", passages.ids)])
        }
        self.assertEqual(
            buckets,
            {
                overdue: "overdue",
                week: "week",
                month: "month",
                later: "later",
                declared: "declared",
            },
        )
        line = Report.search([("passage_id", "=", overdue.id)])
        self.assertEqual(line.days_left, (overdue.deadline - TODAY).days)
        self.assertLess(line.days_left, 0)

    def test_reports_for_managers_of_the_company(self):
        self._make_attendees(self.session, 1)
        self._make_ready_passages(1)
        self.env.flush_all()
        other = self.env["res.company"].create({"name": "Organisme des rapports"})
        for model in ("accrochage.report.session", "accrochage.report.deadline"):
            self.assertTrue(self.env[model].with_user(self.user_manager).search_count([]))
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.user_certif).search([])
        # a manager of another company sees none of these lines
        self.user_manager.write({"company_ids": [(6, 0, other.ids)], "company_id": other.id})
        for model in ("accrochage.report.session", "accrochage.report.deadline"):
            self.assertFalse(self.env[model].with_user(self.user_manager).search_count([]))

    def test_deposit_summary_shows_rejections_never_the_nir(self):
        nir = nir_with_key("2900569123456")
        passages = self._make_ready_passages(2)
        accepted, rejected = passages
        rejected.partner_id.accrochage_nir = nir
        deposit = self.env["accrochage.deposit"].browse(
            passages.with_user(self.user_certif).action_build_deposit()["res_id"]
        )
        deposit.action_mark_sent()
        receipt = receipt_xml(
            deposit.id_flux, ok=[accepted.id_technique], ko=[(rejected.id_technique, NOT_FOUND)]
        )
        self.env["accrochage.receipt.import"].create(
            {"file": base64.b64encode(receipt)}
        ).action_import()
        self.assertEqual(deposit.rejected_count, 1)

        html, kind = self.env["ir.actions.report"]._render_qweb_html(
            "accrochage_certificateur.action_report_accrochage_deposit", deposit.ids
        )
        html = html.decode()
        self.assertEqual(kind, "html")
        for expected in (
            deposit.name,
            deposit.id_flux,
            deposit.certifier_id.display_name,
            deposit.file_ids.name,
            rejected.id_technique,
            NOT_FOUND,
            rejected.cdc_hint.splitlines()[0],
        ):
            self.assertIn(str(escape(expected)), html)
        self.assertNotIn(accepted.id_technique, html)  # only the rejections are listed
        for secret in (nir, nir[:13], "1990-05-17", "17/05/1990", "05/17/1990"):
            self.assertNotIn(secret, html)
