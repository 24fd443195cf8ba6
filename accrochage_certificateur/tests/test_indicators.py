import datetime

from odoo.tests import tagged

from .indicators_common import Y1, Y2, IndicatorCase, at

#: certification A, year Y2, computed by hand from IndicatorCase's docstring
A_Y2 = {
    "enrolled_count": 8,  # S1: 6 (the cancelled one excepted), S2: 2
    "present_count": 6,  # admitted + failed
    "admitted_count": 4,  # a1, a2, h, b1
    "failed_count": 2,
    "absent_count": 1,
    "dropped_count": 1,
    "pending_count": 0,
    "holder_count": 5,  # 4 admitted + the typed award
    "no_passage_count": 1,  # h
    "passage_count": 4,
    "incomplete_count": 0,
    "ready_count": 1,  # the typed award
    "deposited_count": 0,
    "accepted_count": 2,  # a1, a2
    "rejected_count": 1,  # b1
    "out_of_scope_count": 0,  # no holder of this data is out of the CDC's scope
    # a2 sent after its deadline; b1 rejected, the typed award never sent and h
    # without passage, all past their deadline; a1 sent in time
    "late_count": 4,
    "accept_days": 75,  # (30 + 120) / 2
    "accept_days_max": 120,
    "first_sent_count": 3,  # a1, a2 answered, b1 no answer; the typed award not sent
    "first_answered_count": 2,
    "first_employed_count": 1,
    "first_field_count": 1,
    "second_sent_count": 1,
    "second_answered_count": 0,
}


@tagged("post_install", "-at_install")
class TestIndicators(IndicatorCase):
    """Every rate of the analysis, on figures computed by hand."""

    def _rows(self, domain, groupby):
        return self.env["accrochage.report.session"]._indicator_rows(domain, groupby)

    def _by_certification_year(self):
        return {
            (row["certification_id"], row["reference_date:year"].year): row
            for row in self._rows(
                [("certification_id", "in", (self.certification | self.cert_b).ids)],
                ["certification_id", "reference_date:year"],
            )
        }

    def test_counts_and_rates_of_a_year(self):
        rows = self._by_certification_year()
        a_y2 = rows[self.certification, Y2]
        for name, expected in A_Y2.items():
            self.assertEqual(a_y2[name], expected, name)
        self.assertAlmostEqual(a_y2["success_rate"], 400 / 6)  # 4 admitted / 6 present
        self.assertAlmostEqual(a_y2["dropout_rate"], 100 / 8)  # 1 dropped out / 8 enrolled
        self.assertAlmostEqual(a_y2["first_answer_rate"], 200 / 3)  # 2 answered / 3 sent
        self.assertAlmostEqual(a_y2["first_insertion_rate"], 50.0)  # 1 employed / 2 answered
        self.assertAlmostEqual(a_y2["first_field_rate"], 50.0)
        # the second survey was sent and nobody answered yet: 0 % answered, no insertion rate
        self.assertEqual(a_y2["second_answer_rate"], 0.0)
        self.assertIsNone(a_y2["second_insertion_rate"])

    def test_nobody_present_has_no_success_rate(self):
        a_y1 = self._by_certification_year()[self.certification, Y1]
        # only S3: the session spanning Y1 and Y2 counts in Y2, the year its exam ended
        self.assertEqual((a_y1["enrolled_count"], a_y1["present_count"]), (2, 0))
        self.assertIsNone(a_y1["success_rate"])
        self.assertEqual(a_y1["dropout_rate"], 50.0)

    def test_holder_with_two_certifications(self):
        rows = self._by_certification_year()
        b_y2 = rows[self.cert_b, Y2]
        self.assertEqual((b_y2["holder_count"], b_y2["enrolled_count"]), (1, 0))
        self.assertIsNone(b_y2["success_rate"])  # no session: nothing to succeed in
        self.assertEqual((b_y2["ready_count"], b_y2["late_count"]), (1, 1))
        self.assertEqual(b_y2["first_insertion_rate"], 100.0)  # employed elsewhere
        self.assertEqual(b_y2["first_field_rate"], 0.0)
        # h counts once in each certification
        Report = self.env["accrochage.report.session"]
        lines = Report.search([("partner_id", "=", self.h.partner_id.id)])
        self.assertEqual(
            sorted((line.certification_id.code, line.line_type) for line in lines),
            [("RNCP34999", "attendee"), ("RS6543", "award"), ("RS6543", "survey")],
        )

    def test_rates_are_ratios_of_sums_in_the_pivot(self):
        """What the web client asks for: the total is not the mean of the sessions' rates."""
        Report = self.env["accrochage.report.session"]
        domain = [("certification_id", "=", self.certification.id), ("event_id", "!=", False)]
        sessions = Report.formatted_read_group(
            domain + [("reference_date", ">=", at(Y2, 1, 1))],
            ["event_id"],
            ["success_rate:avg", "dropout_rate:avg", "enrolled_count:sum"],
        )
        rates = {group["event_id"][0]: group["success_rate:avg"] for group in sessions}
        self.assertEqual(rates, {self.s1.id: 75.0, self.s2.id: 50.0})
        (total,) = Report.formatted_read_group(
            domain + [("reference_date", ">=", at(Y2, 1, 1))], [], ["success_rate:avg"]
        )
        self.assertAlmostEqual(total["success_rate:avg"], 400 / 6)  # not (75 + 50) / 2
        # each line keeps its own rate for the list view
        line = Report.search([("registration_id", "=", self.a1.id), ("line_type", "=", "attendee")])
        self.assertEqual((line.success_rate, line.dropout_rate), (100.0, 0.0))

    def test_session_spanning_two_years_counts_once(self):
        Report = self.env["accrochage.report.session"]
        lines = Report.search([("event_id", "=", self.s2.id), ("line_type", "=", "attendee")])
        self.assertEqual(len(lines), 2)
        self.assertEqual({line.reference_date for line in lines}, {at(Y2, 1, 20)})

    def test_admitted_without_passage_is_never_lost(self):
        (line,) = self.env["accrochage.report.session"].search(
            [("registration_id", "=", self.h.id), ("line_type", "=", "attendee")]
        )
        self.assertEqual((line.no_passage_count, line.late_count), (1, 1))
        self.assertEqual(line.deadline, at(Y2, 6, 15))  # the engine's award + 3 months

    def test_a_passage_not_sent_yet_is_not_late_before_its_deadline(self):
        passage = self._typed_passage(
            self.certification, datetime.date.today() - datetime.timedelta(days=10), 50
        )
        self.env.flush_all()
        (line,) = self.env["accrochage.report.session"].search([("passage_id", "=", passage.id)])
        self.assertEqual((line.line_type, line.ready_count, line.late_count), ("award", 1, 0))
