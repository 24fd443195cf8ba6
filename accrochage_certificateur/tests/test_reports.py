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

    def test_success_and_dropout_rates(self):
        """2 admitted, 1 failed, 1 dropped out: success 2/3, dropout 1/4."""
        self._make_attendees(self.session, 2)
        self._make_attendees(self.session, 1, result="failed")
        self._make_attendees(self.session, 1, result="dropped")
        # a cancelled registration and another session's attendee are not counted
        self._make_attendees(self.session, 1, result="failed").action_cancel()
        self._make_attendees(self._make_session(name="Autre session"), 3, result="dropped")

        totals = self._totals("accrochage.report.session", [("event_id", "=", self.session.id)])
        self.assertEqual(totals["enrolled_count"], 4)
        self.assertEqual(totals["admitted_count"], 2)
        self.assertEqual(totals["present_count"], 3)
        self.assertEqual(totals["dropped_count"], 1)
        self.assertAlmostEqual(totals["success_rate"], 200 / 3, places=2)
        self.assertAlmostEqual(totals["dropout_rate"], 25.0, places=2)

        by_certification = self._totals(
            "accrochage.report.session", [("certification_id", "=", self.certification.id)]
        )
        self.assertEqual(by_certification["enrolled_count"], 7)
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

    def test_deadline_board_lists_what_to_act_on(self):
        """Due within 30 days or overdue, per certification and responsible, with the activity."""
        responsible = self.user_certif
        self.certification.user_id = responsible
        soon, overdue, later = self._make_ready_passages(3)
        for passage, days in ((soon, 70), (overdue, 100), (later, 0)):
            passage.award_date = TODAY - datetime.timedelta(days=days)
        self.env["accrochage.passage"]._cron_deadline_reminders()  # the activity to act on
        # an admitted attendee whose session was never closed: no passage, overdue
        (forgotten,) = self._make_attendees(self.session, 1)
        forgotten.accrochage_award_date = TODAY - datetime.timedelta(days=95)
        self.env.flush_all()

        action = self.env["ir.actions.act_window"]._for_xml_id(
            "accrochage_certificateur.accrochage_report_deadline_action"
        )
        self.assertEqual(action["view_mode"].split(",")[0], "list")
        Board = self.env["accrochage.report.deadline"].with_user(self.user_manager)
        to_act = [
            ("certification_id", "=", self.certification.id),
            ("deadline_bucket", "in", ("overdue", "week", "month")),
        ]
        lines = Board.search(to_act)
        self.assertEqual(
            {(line.passage_id, line.registration_id, line.deadline_bucket) for line in lines},
            {
                (soon, soon.registration_id, "month"),
                (overdue, overdue.registration_id, "overdue"),
                (self.env["accrochage.passage"], forgotten, "overdue"),
            },
        )
        soon_line = lines.filtered(lambda line: line.passage_id == soon)
        self.assertEqual(soon_line.user_id, responsible)
        self.assertEqual(soon_line.activity_id, soon.activity_ids)
        self.assertEqual(soon_line.activity_summary, soon.activity_ids.summary)
        self.assertEqual(soon_line.activity_date, soon.deadline)
        missing = lines.filtered(lambda line: line.state == "missing")
        self.assertEqual(
            (missing.deadline, missing.user_id), (forgotten.accrochage_deadline, responsible)
        )
        # "Act" opens what to act on
        self.assertEqual(soon_line.action_open()["res_model"], "accrochage.passage")
        self.assertEqual(
            (missing.action_open()["res_model"], missing.action_open()["res_id"]),
            ("event.registration", forgotten.id),
        )
        groups = Board.formatted_read_group(to_act, ["certification_id", "user_id"], ["__count"])
        self.assertEqual(
            [(g["certification_id"][0], g["user_id"][0], g["__count"]) for g in groups],
            [(self.certification.id, responsible.id, 3)],
        )

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
