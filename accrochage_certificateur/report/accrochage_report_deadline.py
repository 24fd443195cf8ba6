from odoo import fields, models, tools

from ..models.accrochage_passage import STATES

BUCKETS = [
    ("overdue", "Overdue"),
    ("week", "Within 7 days"),
    ("month", "Within 30 days"),
    ("later", "Later"),
    ("none", "No deadline"),
    ("declared", "Declared"),
]


class AccrochageReportDeadline(models.Model):
    """Passages by declaration deadline: what is late and what is due soon.

    The bucket is computed when the view is read (CURRENT_DATE), so the
    report never goes stale; an accepted passage is "declared" whatever its date.
    """

    _name = "accrochage.report.deadline"
    _description = "Declaration deadlines analysis"
    _auto = False
    _rec_name = "passage_id"
    _order = "deadline, id"

    passage_id = fields.Many2one("accrochage.passage", readonly=True)
    partner_id = fields.Many2one("res.partner", "Holder", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    certification_id = fields.Many2one("accrochage.certification", readonly=True)
    certifier_id = fields.Many2one("accrochage.certifier", readonly=True)
    event_id = fields.Many2one("event.event", "Session", readonly=True)
    state = fields.Selection(STATES, readonly=True)
    award_date = fields.Date(readonly=True)
    deadline = fields.Date(readonly=True)
    deadline_bucket = fields.Selection(BUCKETS, "Deadline window", readonly=True)
    days_left = fields.Integer(
        "Days left", readonly=True, aggregator="min", help="Negative when overdue."
    )
    passage_count = fields.Integer("Passages", readonly=True)

    def _query(self):
        return """
            SELECT
                p.id AS id,
                p.id AS passage_id,
                p.partner_id AS partner_id,
                p.company_id AS company_id,
                p.certification_id AS certification_id,
                p.certifier_id AS certifier_id,
                p.event_id AS event_id,
                p.state AS state,
                p.award_date AS award_date,
                p.deadline AS deadline,
                CASE
                    WHEN p.state = 'accepted' THEN 'declared'
                    WHEN p.deadline IS NULL THEN 'none'
                    WHEN p.deadline < CURRENT_DATE THEN 'overdue'
                    WHEN p.deadline < CURRENT_DATE + 7 THEN 'week'
                    WHEN p.deadline < CURRENT_DATE + 30 THEN 'month'
                    ELSE 'later'
                END AS deadline_bucket,
                p.deadline - CURRENT_DATE AS days_left,
                1 AS passage_count
            FROM accrochage_passage p
        """

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"CREATE OR REPLACE VIEW {self._table} AS ({self._query()})")
