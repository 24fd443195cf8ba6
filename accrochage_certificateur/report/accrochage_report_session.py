from odoo import fields, models, tools

from ..models.event_registration import INSERTION_STATUSES, RESULTS

#: results that end an assessment: the success rate is admitted / these
ASSESSED = ("admitted", "failed")
#: insertion statuses counted as employed; "unknown" and empty are left out of the rate
EMPLOYED = ("employed_field", "employed_elsewhere")


def _in(values):
    """A SQL literal list of fixed technical values (never user input)."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"({quoted})"


class AccrochageReportSession(models.Model):
    """One line per attendee of a certifying session, for the managers' rates.

    Counts are summed; each rate column holds 100, 0 or NULL per line so that
    its average (SQL AVG ignores NULL) is exactly the rate of the group:
    success = admitted / (admitted + failed), dropout = dropped / attendees,
    insertion = employed / attendees whose situation is known.
    """

    _name = "accrochage.report.session"
    _description = "Certification results analysis"
    _auto = False
    _rec_name = "registration_id"
    _order = "date_begin desc, id"

    registration_id = fields.Many2one("event.registration", "Attendee", readonly=True)
    partner_id = fields.Many2one("res.partner", "Holder", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    certification_id = fields.Many2one("accrochage.certification", readonly=True)
    certifier_id = fields.Many2one("accrochage.certifier", readonly=True)
    event_id = fields.Many2one("event.event", "Session", readonly=True)
    event_type_id = fields.Many2one("event.type", "Formation", readonly=True)
    date_begin = fields.Datetime("Session start", readonly=True)
    award_date = fields.Date(readonly=True)
    result = fields.Selection(RESULTS, readonly=True)
    insertion_status = fields.Selection(INSERTION_STATUSES, readonly=True)
    insertion_date = fields.Date(readonly=True)
    attendee_count = fields.Integer("Attendees", readonly=True)
    assessed_count = fields.Integer("Assessed", readonly=True, help="Attendees admitted or failed.")
    admitted_count = fields.Integer("Admitted", readonly=True)
    failed_count = fields.Integer("Failed", readonly=True)
    absent_count = fields.Integer("Absent", readonly=True)
    dropped_count = fields.Integer("Dropped out", readonly=True)
    pending_count = fields.Integer("Pending", readonly=True)
    employed_count = fields.Integer("Employed", readonly=True)
    insertion_known_count = fields.Integer("Known situation", readonly=True)
    success_rate = fields.Float(
        "Success rate (%)",
        readonly=True,
        aggregator="avg",
        help="Admitted / (admitted + failed).",
    )
    dropout_rate = fields.Float(
        "Dropout rate (%)", readonly=True, aggregator="avg", help="Dropped out / attendees."
    )
    insertion_rate = fields.Float(
        "Insertion rate (%)",
        readonly=True,
        aggregator="avg",
        help="Employed (in the field or elsewhere) / attendees whose situation is known.",
    )

    def _query(self):
        assessed, employed = _in(ASSESSED), _in(EMPLOYED)
        status = "r.accrochage_insertion_status"
        known = f"{status} IS NOT NULL AND {status} <> 'unknown'"
        return f"""
            SELECT
                r.id AS id,
                r.id AS registration_id,
                r.partner_id AS partner_id,
                e.company_id AS company_id,
                e.accrochage_certification_id AS certification_id,
                c.certifier_id AS certifier_id,
                e.id AS event_id,
                e.event_type_id AS event_type_id,
                e.date_begin AS date_begin,
                r.accrochage_award_date AS award_date,
                r.accrochage_result AS result,
                r.accrochage_insertion_status AS insertion_status,
                r.accrochage_insertion_date AS insertion_date,
                1 AS attendee_count,
                CASE WHEN r.accrochage_result IN {assessed} THEN 1 ELSE 0 END AS assessed_count,
                CASE WHEN r.accrochage_result = 'admitted' THEN 1 ELSE 0 END AS admitted_count,
                CASE WHEN r.accrochage_result = 'failed' THEN 1 ELSE 0 END AS failed_count,
                CASE WHEN r.accrochage_result = 'absent' THEN 1 ELSE 0 END AS absent_count,
                CASE WHEN r.accrochage_result = 'dropped' THEN 1 ELSE 0 END AS dropped_count,
                CASE WHEN r.accrochage_result = 'pending' THEN 1 ELSE 0 END AS pending_count,
                CASE WHEN r.accrochage_insertion_status IN {employed} THEN 1 ELSE 0 END
                    AS employed_count,
                CASE WHEN {known} THEN 1 ELSE 0 END AS insertion_known_count,
                CASE
                    WHEN r.accrochage_result = 'admitted' THEN 100.0
                    WHEN r.accrochage_result IN {assessed} THEN 0.0
                END AS success_rate,
                CASE WHEN r.accrochage_result = 'dropped' THEN 100.0 ELSE 0.0 END
                    AS dropout_rate,
                CASE
                    WHEN r.accrochage_insertion_status IN {employed} THEN 100.0
                    WHEN {known} THEN 0.0
                END AS insertion_rate
            FROM event_registration r
            JOIN event_event e ON e.id = r.event_id
            JOIN accrochage_certification c ON c.id = e.accrochage_certification_id
            WHERE r.active AND r.state <> 'cancel'
        """

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"CREATE OR REPLACE VIEW {self._table} AS ({self._query()})")
