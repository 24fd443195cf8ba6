from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.accrochage_passage import STATES

BUCKETS = [
    ("overdue", "Overdue"),
    ("week", "Within 7 days"),
    ("month", "Within 30 days"),
    ("later", "Later"),
    ("none", "No deadline"),
    ("declared", "Declared"),
]
#: an admitted attendee that has no passage yet is not declared either
BOARD_STATES = [("missing", "No passage yet"), *STATES]


class AccrochageReportDeadline(models.Model):
    """The deadline board: what is late, what is due soon, who acts on it.

    One line per passage, and one per admitted attendee that has no passage
    yet (nothing would ever be declared for them). The deadline is the
    engine's (award + 3 months, stored on the passage and the attendee); the
    window is computed when the view is read (CURRENT_DATE), so the board
    never goes stale; an accepted passage is "declared" whatever its date.
    The responsible is the one of the passage's next open activity, else the
    certification's.
    """

    _name = "accrochage.report.deadline"
    _description = "Deadline board"
    _auto = False
    _rec_name = "partner_id"
    _order = "deadline, id"

    passage_id = fields.Many2one("accrochage.passage", readonly=True)
    registration_id = fields.Many2one("event.registration", "Attendee", readonly=True)
    partner_id = fields.Many2one("res.partner", "Holder", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    certification_id = fields.Many2one("accrochage.certification", readonly=True)
    certifier_id = fields.Many2one("accrochage.certifier", readonly=True)
    event_id = fields.Many2one("event.event", "Session", readonly=True)
    user_id = fields.Many2one("res.users", "Responsible", readonly=True)
    state = fields.Selection(BOARD_STATES, readonly=True)
    award_date = fields.Date(readonly=True)
    deadline = fields.Date(readonly=True)
    deadline_bucket = fields.Selection(BUCKETS, "Deadline window", readonly=True)
    days_left = fields.Integer(
        "Days left", readonly=True, aggregator="min", help="Negative when overdue."
    )
    activity_id = fields.Many2one("mail.activity", "Next activity", readonly=True)
    activity_type_id = fields.Many2one("mail.activity.type", "Activity type", readonly=True)
    activity_summary = fields.Char("To do", readonly=True)
    activity_date = fields.Date("Activity due", readonly=True)
    passage_count = fields.Integer("Passages", readonly=True)

    @staticmethod
    def _bucket(deadline, declared):
        return SQL(
            """CASE
                WHEN %(declared)s THEN 'declared'
                WHEN %(deadline)s IS NULL THEN 'none'
                WHEN %(deadline)s < CURRENT_DATE THEN 'overdue'
                WHEN %(deadline)s < CURRENT_DATE + 7 THEN 'week'
                WHEN %(deadline)s < CURRENT_DATE + 30 THEN 'month'
                ELSE 'later'
            END""",
            declared=declared,
            deadline=deadline,
        )

    def _passage_part(self):
        return SQL(
            """
            SELECT
                2 * p.id AS id,
                p.id AS passage_id,
                p.registration_id AS registration_id,
                p.partner_id AS partner_id,
                p.company_id AS company_id,
                p.certification_id AS certification_id,
                p.certifier_id AS certifier_id,
                p.event_id AS event_id,
                COALESCE(a.user_id, c.user_id) AS user_id,
                p.state AS state,
                p.award_date AS award_date,
                p.deadline AS deadline,
                %(bucket)s AS deadline_bucket,
                p.deadline - CURRENT_DATE AS days_left,
                a.id AS activity_id,
                a.activity_type_id AS activity_type_id,
                a.summary AS activity_summary,
                a.date_deadline AS activity_date,
                1 AS passage_count
            FROM accrochage_passage p
            JOIN accrochage_certification c ON c.id = p.certification_id
            LEFT JOIN LATERAL (
                SELECT id, user_id, activity_type_id, summary, date_deadline
                  FROM mail_activity
                 WHERE res_model = 'accrochage.passage' AND res_id = p.id AND active
                 ORDER BY date_deadline, id
                 LIMIT 1
            ) a ON TRUE
            """,
            # out of the CDC's scope (guide V5 §2.4): nothing to declare, never late
            bucket=self._bucket(
                SQL("p.deadline"),
                SQL("p.state IN ('accepted', 'withdrawing', 'withdrawn', 'out_of_scope')"),
            ),
        )

    def _missing_part(self):
        return SQL(
            """
            SELECT
                2 * r.id + 1 AS id,
                NULL AS passage_id,
                r.id AS registration_id,
                r.partner_id AS partner_id,
                COALESCE(e.company_id, c.company_id) AS company_id,
                c.id AS certification_id,
                c.certifier_id AS certifier_id,
                e.id AS event_id,
                COALESCE(c.user_id, e.user_id) AS user_id,
                'missing' AS state,
                r.accrochage_award_date AS award_date,
                r.accrochage_deadline AS deadline,
                %(bucket)s AS deadline_bucket,
                r.accrochage_deadline - CURRENT_DATE AS days_left,
                NULL AS activity_id,
                NULL AS activity_type_id,
                NULL AS activity_summary,
                NULL AS activity_date,
                0 AS passage_count
            FROM event_registration r
            JOIN event_event e ON e.id = r.event_id
            JOIN accrochage_certification c ON c.id = e.accrochage_certification_id
            WHERE r.active AND r.state != 'cancel' AND r.accrochage_result = 'admitted'
              AND NOT EXISTS (
                  SELECT 1 FROM accrochage_passage p
                   WHERE p.registration_id = r.id AND p.certification_id = c.id)
            """,
            bucket=self._bucket(SQL("r.accrochage_deadline"), SQL("FALSE")),
        )

    def _query(self):
        return SQL("%s UNION ALL %s", self._passage_part(), self._missing_part())

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )

    def action_open(self):
        """Open what to act on: the passage (its activity is there), else the attendee."""
        self.ensure_one()
        target = self.passage_id or self.registration_id
        return {
            "type": "ir.actions.act_window",
            "res_model": target._name,
            "res_id": target.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
