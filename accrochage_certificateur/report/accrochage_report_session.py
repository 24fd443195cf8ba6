from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..models.accrochage_insertion_survey import WAVES
from ..models.accrochage_passage import STATES
from ..models.event_registration import RESULTS

LINE_TYPES = [
    ("attendee", "Attendee"),
    ("award", "Award without attendee"),
    ("survey", "Insertion survey"),
]
#: the award's deposit date and acceptance, in the CDC's time zone
CDC_TZ = "Europe/Paris"

#: {rate: (numerator, denominator)}; the help texts below define them in words
RATES = {
    "success_rate": ("admitted_count", "present_count"),
    "dropout_rate": ("dropped_count", "enrolled_count"),
    "first_answer_rate": ("first_answered_count", "first_sent_count"),
    "first_insertion_rate": ("first_employed_count", "first_answered_count"),
    "first_field_rate": ("first_field_count", "first_answered_count"),
    "second_answer_rate": ("second_answered_count", "second_sent_count"),
    "second_insertion_rate": ("second_employed_count", "second_answered_count"),
    "second_field_rate": ("second_field_count", "second_answered_count"),
}
#: counts of the surveys, per wave: {column suffix: survey field summed}
SURVEY_COUNTS = {
    "sent_count": "sent_count",
    "answered_count": "answered_count",
    "employed_count": "employed_count",
    "field_count": "employed_field_count",
}


def _rate(string, definition):
    return fields.Float(string, readonly=True, aggregator="avg", digits=(16, 1), help=definition)


def _count(string, definition=None):
    return fields.Integer(string, readonly=True, help=definition)


class AccrochageReportSession(models.Model):
    """The certifier's indicators: results, deposits and insertion, line by line.

    Three kinds of lines, all additive: one per attendee of a certifying
    session (results, and the passage of an admitted one), one per award
    typed or imported without an attendee (its passage), one per insertion
    survey (its answer). Counts are summed; rates are ratios of these sums
    in every group (:class:`AccrochageReportRateMixin`).

    The year of a line is its *reference date*: the end of the session's
    exam (else of the session), so that a session spanning two years
    counts once, in the year its results were known; an award without a
    session uses its award date; a survey uses the reference date of the
    award it follows.
    """

    _name = "accrochage.report.session"
    _inherit = ["accrochage.report.rate.mixin"]
    _description = "Certification indicators"
    _auto = False
    _rec_name = "partner_id"
    _order = "reference_date desc, id"
    _rates = RATES

    line_type = fields.Selection(LINE_TYPES, "Line", readonly=True)
    registration_id = fields.Many2one("event.registration", "Attendee", readonly=True)
    passage_id = fields.Many2one("accrochage.passage", readonly=True)
    survey_id = fields.Many2one("accrochage.insertion.survey", readonly=True)
    survey_wave = fields.Selection(WAVES, "Survey wave", readonly=True)
    partner_id = fields.Many2one("res.partner", "Holder", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    certification_id = fields.Many2one("accrochage.certification", readonly=True)
    certifier_id = fields.Many2one("accrochage.certifier", readonly=True)
    user_id = fields.Many2one("res.users", "Responsible", readonly=True)
    event_id = fields.Many2one("event.event", "Session", readonly=True)
    event_type_id = fields.Many2one("event.type", "Formation", readonly=True)
    reference_date = fields.Date(
        readonly=True,
        help="Gives the line its year: end of the session's exam (else of the session); "
        "the award date for an award without a session.",
    )
    award_date = fields.Date(readonly=True)
    deadline = fields.Date("Declaration deadline", readonly=True)
    result = fields.Selection(RESULTS, readonly=True)
    passage_state = fields.Selection(STATES, "Passage status", readonly=True)

    enrolled_count = _count("Enrolled", "Attendees of the session, cancelled ones excepted.")
    present_count = _count("Present", "Attendees assessed: admitted or failed.")
    admitted_count = _count("Admitted")
    failed_count = _count("Failed candidates")
    absent_count = _count("Absentees")
    dropped_count = _count("Dropouts")
    pending_count = _count("Pending", "Attendees without a result yet.")
    holder_count = _count(
        "Holders", "Certifications awarded: admitted attendees and awards without an attendee."
    )
    vae_count = _count("Holders through VAE", "Holders whose access mode is the VAE.")
    no_passage_count = _count(
        "Admitted, no passage",
        "Admitted attendees that have no passage yet: nothing will be declared for them.",
    )
    passage_count = _count("Passages")
    incomplete_count = _count("Incomplete passages", "Passages with a blocking issue to fix.")
    ready_count = _count("Ready to deposit", "Passages ready to be deposited.")
    deposited_count = _count(
        "Deposited, awaiting the CDC",
        "Passages in a deposit generated or sent, awaiting the CDC's receipt.",
    )
    accepted_count = _count("Accepted by the CDC", "Passages the CDC accepted.")
    rejected_count = _count(
        "Rejected by the CDC", "Passages the CDC rejected, to fix and deposit again."
    )
    out_of_scope_count = _count(
        "Out of scope", "Passages marked out of the CDC's scope: never deposited, never late."
    )
    late_count = _count(
        "Late",
        "Passages sent to the CDC after their deadline (award + 3 months), or not sent yet "
        "and past it. A passage counts as sent on the sending date of the deposit the CDC "
        "accepted it in, or that still awaits its answer; a rejected sending does not count.",
    )
    accept_days = fields.Integer(
        "Days to acceptance (mean)",
        readonly=True,
        aggregator="avg",
        help="Days from the award to the CDC's acceptance, averaged over accepted passages.",
    )
    accept_days_max = fields.Integer(
        "Days to acceptance (max)",
        readonly=True,
        aggregator="max",
        help="Longest time from the award to the CDC's acceptance.",
    )
    first_sent_count = _count("1st survey: sent", "First surveys put to the holder.")
    first_answered_count = _count("1st survey: answered")
    first_employed_count = _count("1st survey: employed")
    first_field_count = _count("1st survey: employed in the field")
    second_sent_count = _count("2nd survey: sent", "Second surveys put to the holder.")
    second_answered_count = _count("2nd survey: answered")
    second_employed_count = _count("2nd survey: employed")
    second_field_count = _count("2nd survey: employed in the field")

    success_rate = _rate("Success rate (%)", "Admitted / present (admitted + failed), × 100.")
    dropout_rate = _rate("Dropout rate (%)", "Dropped out / enrolled, × 100.")
    first_answer_rate = _rate(
        "Answer rate, 1st survey (%)",
        "Surveys answered / surveys sent, × 100, for the first survey (6 months after "
        "the award by default).",
    )
    first_insertion_rate = _rate(
        "Insertion rate, 1st survey (%)",
        "Holders employed (in the certification's field or elsewhere) / surveys "
        "answered, × 100, for the first survey (6 months after the award by default).",
    )
    first_field_rate = _rate(
        "Insertion in the field, 1st survey (%)",
        "Holders employed in the certification's field / surveys answered, × 100, "
        "for the first survey.",
    )
    second_answer_rate = _rate(
        "Answer rate, 2nd survey (%)",
        "Surveys answered / surveys sent, × 100, for the second survey (12 months "
        "after the award by default).",
    )
    second_insertion_rate = _rate(
        "Insertion rate, 2nd survey (%)",
        "Holders employed (in the certification's field or elsewhere) / surveys "
        "answered, × 100, for the second survey (12 months after the award by default).",
    )
    second_field_rate = _rate(
        "Insertion in the field, 2nd survey (%)",
        "Holders employed in the certification's field / surveys answered, × 100, "
        "for the second survey.",
    )

    # ------------------------------------------------------------------
    # figures for the Bilan and the CSV export
    # ------------------------------------------------------------------
    def _measures(self):
        """{measure: aggregate} as the pivot aggregates them (rates: ratios of sums)."""
        return {
            name: f"{name}:{field.aggregator or 'sum'}"
            for name, field in self._fields.items()
            if field.type in ("integer", "float") and name != "id"
        }

    @api.model
    def _indicator_rows(self, domain, groupby):
        """Every measure per group, as dicts keyed by groupby spec and measure name.

        Counts of a group without lines are 0; a rate without denominator
        and a mean without accepted passage are None (the ORM says False).
        """
        measures = self._measures()
        rows = self._read_group(domain, groupby, list(measures.values()))
        result = []
        for row in rows:
            values = dict(zip([*groupby, *measures], row, strict=True))
            for name in measures:
                if name.endswith("_count") and not values[name]:
                    values[name] = 0
                elif values[name] is False:
                    values[name] = None
            result.append(values)
        return result

    # ------------------------------------------------------------------
    # the query
    # ------------------------------------------------------------------
    def _columns(self):
        """The view's columns, in order, and the typed value a part leaves them at.

        Typed, because ``A UNION ALL B UNION ALL C`` resolves A and B first:
        two bare NULLs would become text.
        """
        nulls = {
            "many2one": SQL("NULL::int4"),
            "integer": SQL("NULL::int4"),
            "date": SQL("NULL::date"),
            "selection": SQL("NULL::varchar"),
        }
        columns = []
        for name, field in self._fields.items():
            if name == "id" or not field.store or name in self._rates:
                continue
            if field.type == "integer" and name.endswith("_count"):
                columns.append((name, SQL("0")))
            elif field.type in nulls:
                columns.append((name, nulls[field.type]))
        return columns

    def _select(self, id_sql, values):
        """One part's SELECT list: ``values`` given, every other column at its default."""
        terms = [SQL("%s AS id", id_sql)]
        for name, default in self._columns():
            terms.append(SQL("%s AS %s", values.pop(name, default), SQL.identifier(name)))
        assert not values, f"unknown columns {sorted(values)}"
        return SQL(", ").join(terms)

    def _passage_conditions(self):
        """The condition of each passage count, on the passage alias ``p``.

        The one place to extend when passages gain marks or states (an
        out-of-scope holder, a withdrawn passage). A holder out of the
        CDC's scope (general guide V5 §2.4) is never late. A passage whose withdrawal
        is sent is still held by the CDC: it counts as accepted until the
        withdrawal is accepted; a replaced passage counts through its
        replacement (:meth:`_passage_part`).
        """
        return {
            "passage_count": SQL("p.id IS NOT NULL"),
            "incomplete_count": SQL("p.state = 'incomplete'"),
            "ready_count": SQL("p.state = 'ready'"),
            "deposited_count": SQL("p.state = 'exported'"),
            "accepted_count": SQL("p.state IN ('accepted', 'withdrawing')"),
            "rejected_count": SQL("p.state = 'rejected'"),
            "out_of_scope_count": SQL("p.state = 'out_of_scope'"),
        }

    def _passage_values(self):
        """Columns of an award: passage counts, delay to acceptance, lateness."""
        conditions = self._passage_conditions()
        values = {
            name: SQL("COALESCE((%s)::int, 0)", condition) for name, condition in conditions.items()
        }
        accepted_on = SQL("(p.cdc_date AT TIME ZONE 'UTC' AT TIME ZONE %s)::date", CDC_TZ)
        days = SQL("CASE WHEN p.state = 'accepted' THEN %s - p.award_date END", accepted_on)
        sent_on = SQL(
            "COALESCE((sent.sent_date AT TIME ZONE 'UTC' AT TIME ZONE %s)::date, "
            "CASE WHEN p.state = 'accepted' THEN %s END)",
            CDC_TZ,
            accepted_on,
        )
        late = SQL(
            "p.deadline IS NOT NULL AND NOT (%s) AND COALESCE(%s, CURRENT_DATE) > p.deadline",
            conditions["out_of_scope_count"],
            sent_on,
        )
        values.update(
            passage_id=SQL("p.id"),
            passage_state=SQL("p.state"),
            accept_days=days,
            accept_days_max=days,
            late_count=SQL("COALESCE((%s)::int, 0)", late),
        )
        return values

    def _passage_joins(self):
        """The first sending of each passage that the CDC did not reject."""
        return SQL(
            """
            LEFT JOIN (
                SELECT l.passage_id, MIN(d.sent_date) AS sent_date
                  FROM accrochage_deposit_line l
                  JOIN accrochage_deposit d ON d.id = l.deposit_id
                 WHERE l.result IN ('ok', 'pending') AND d.sent_date IS NOT NULL
                   AND d.state != 'cancel'
                 GROUP BY l.passage_id
            ) sent ON sent.passage_id = p.id
            """
        )

    @staticmethod
    def _session_date(alias):
        """The reference date of a session: its exam end, else its end in its time zone."""
        return SQL(
            "COALESCE(%s, (%s AT TIME ZONE 'UTC' AT TIME ZONE COALESCE(%s, 'UTC'))::date)",
            SQL.identifier(alias, "accrochage_exam_date_end"),
            SQL.identifier(alias, "date_end"),
            SQL.identifier(alias, "date_tz"),
        )

    def _attendee_part(self):
        result = SQL("r.accrochage_result")
        admitted = SQL("r.accrochage_result = 'admitted'")
        values = self._passage_values()
        values["late_count"] = SQL(
            "CASE WHEN p.id IS NOT NULL THEN %s "
            "ELSE COALESCE((%s AND r.accrochage_deadline < CURRENT_DATE)::int, 0) END",
            values["late_count"],
            admitted,
        )
        values.update(
            line_type=SQL("'attendee'"),
            registration_id=SQL("r.id"),
            partner_id=SQL("r.partner_id"),
            company_id=SQL("COALESCE(e.company_id, c.company_id)"),
            certification_id=SQL("c.id"),
            certifier_id=SQL("c.certifier_id"),
            user_id=SQL("c.user_id"),
            event_id=SQL("e.id"),
            event_type_id=SQL("e.event_type_id"),
            reference_date=self._session_date("e"),
            award_date=SQL("COALESCE(p.award_date, r.accrochage_award_date)"),
            deadline=SQL(
                "COALESCE(p.deadline, CASE WHEN %s THEN r.accrochage_deadline END)", admitted
            ),
            result=result,
            enrolled_count=SQL("1"),
            present_count=SQL("(%s IN ('admitted', 'failed'))::int", result),
            admitted_count=SQL("(%s)::int", admitted),
            failed_count=SQL("(%s = 'failed')::int", result),
            absent_count=SQL("(%s = 'absent')::int", result),
            dropped_count=SQL("(%s = 'dropped')::int", result),
            pending_count=SQL("(%s = 'pending')::int", result),
            holder_count=SQL("(%s)::int", admitted),
            vae_count=SQL("(%s AND r.accrochage_access_mode = 'VAE')::int", admitted),
            no_passage_count=SQL("(%s AND p.id IS NULL)::int", admitted),
        )
        return SQL(
            """
            SELECT %s
              FROM event_registration r
              JOIN event_event e ON e.id = r.event_id
              JOIN accrochage_certification c ON c.id = e.accrochage_certification_id
              LEFT JOIN accrochage_passage p
                     ON p.registration_id = r.id AND p.certification_id = c.id
              %s
             WHERE r.active AND r.state != 'cancel'
            """,
            self._select(SQL("3 * r.id"), values),
            self._passage_joins(),
        )

    def _award_part(self):
        """Passages that no counted attendee carries: typed, imported, or orphaned."""
        values = self._passage_values()
        values.update(
            line_type=SQL("'award'"),
            partner_id=SQL("p.partner_id"),
            company_id=SQL("p.company_id"),
            certification_id=SQL("c.id"),
            certifier_id=SQL("c.certifier_id"),
            user_id=SQL("c.user_id"),
            reference_date=SQL("p.award_date"),
            award_date=SQL("p.award_date"),
            deadline=SQL("p.deadline"),
            holder_count=SQL("1"),
            vae_count=SQL("(p.access_mode = 'VAE')::int"),
        )
        return SQL(
            """
            SELECT %s
              FROM accrochage_passage p
              JOIN accrochage_certification c ON c.id = p.certification_id
              LEFT JOIN event_registration r ON r.id = p.registration_id
              LEFT JOIN event_event e ON e.id = r.event_id
              %s
             WHERE NOT COALESCE(
                   r.active AND r.state != 'cancel'
                   AND e.accrochage_certification_id = p.certification_id, FALSE)
               AND NOT EXISTS (SELECT 1 FROM accrochage_passage n WHERE n.replaces_id = p.id)
            """,
            self._select(SQL("3 * p.id + 1"), values),
            self._passage_joins(),
        )

    def _survey_part(self):
        values = {
            "line_type": SQL("'survey'"),
            "survey_id": SQL("s.id"),
            "survey_wave": SQL("s.wave"),
            "registration_id": SQL("r.id"),
            "passage_id": SQL("s.passage_id"),
            "partner_id": SQL("s.partner_id"),
            "company_id": SQL("s.company_id"),
            "certification_id": SQL("c.id"),
            "certifier_id": SQL("c.certifier_id"),
            "user_id": SQL("c.user_id"),
            "event_id": SQL("e.id"),
            "event_type_id": SQL("e.event_type_id"),
            "reference_date": SQL(
                "CASE WHEN e.id IS NOT NULL THEN %s ELSE s.award_date END",
                self._session_date("e"),
            ),
            "award_date": SQL("s.award_date"),
        }
        for wave, _label in WAVES:
            for suffix, source in SURVEY_COUNTS.items():
                values[f"{wave}_{suffix}"] = SQL(
                    "CASE WHEN s.wave = %s THEN %s ELSE 0 END", wave, SQL.identifier("s", source)
                )
        return SQL(
            """
            SELECT %s
              FROM accrochage_insertion_survey s
              JOIN accrochage_certification c ON c.id = s.certification_id
              LEFT JOIN accrochage_passage p ON p.id = s.passage_id
              LEFT JOIN event_registration r
                     ON r.id = COALESCE(s.registration_id, p.registration_id)
              LEFT JOIN event_event e ON e.id = r.event_id
            """,
            self._select(SQL("3 * s.id + 2"), values),
        )

    def _query(self):
        return SQL(
            "SELECT lines.*, %s FROM (%s UNION ALL %s UNION ALL %s) AS lines",
            self._rate_select("lines"),
            self._attendee_part(),
            self._award_part(),
            self._survey_part(),
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
