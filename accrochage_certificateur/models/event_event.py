from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import enum_selection, fact_help

RESULT_ADMITTED = "admitted"


class EventEvent(models.Model):
    """A session: exam facts shared by every attendee's passage."""

    _inherit = "event.event"

    # Copied from the template like core copies its own fields: a stored,
    # editable compute that depends on event_type_id only, so editing the
    # template later does not rewrite existing sessions.
    accrochage_certification_id = fields.Many2one(
        "accrochage.certification",
        "Certification",
        compute="_compute_accrochage_certification_id",
        store=True,
        readonly=False,
        ondelete="restrict",
        index="btree_not_null",
    )
    accrochage_duration_hours = fields.Float(
        "Training duration (hours)",
        compute="_compute_accrochage_from_type",
        store=True,
        readonly=False,
    )
    accrochage_teaching_resources = fields.Html(
        "Teaching resources",
        compute="_compute_accrochage_from_type",
        store=True,
        readonly=False,
    )
    accrochage_evaluation_methods = fields.Html(
        "Assessment methods",
        compute="_compute_accrochage_from_type",
        store=True,
        readonly=False,
    )
    accrochage_exam_date_start = fields.Date("Exam start", help=fact_help("dateDebutExamen"))
    accrochage_exam_date_end = fields.Date("Exam end", help=fact_help("dateFinExamen"))
    accrochage_exam_mode = fields.Selection(
        enum_selection("modalitePassageExamen"),
        "Exam mode",
        help=fact_help("modalitePassageExamen"),
    )
    accrochage_exam_postcode = fields.Char(
        "Exam centre postcode", help=fact_help("codePostalCentreExamen")
    )
    accrochage_trainer_ids = fields.Many2many(
        "res.partner",
        "accrochage_event_trainer_rel",
        "event_id",
        "partner_id",
        "Trainers",
    )
    accrochage_trainer_qualification = fields.Html("Trainers' qualifications")
    accrochage_passage_ids = fields.One2many("accrochage.passage", "event_id")
    accrochage_passage_count = fields.Integer(
        "Passages", compute="_compute_accrochage_passage_count"
    )

    @api.depends("event_type_id")
    def _compute_accrochage_certification_id(self):
        """Emulate an onchange: a session without template keeps its own value."""
        for event in self:
            if event.event_type_id.accrochage_certification_id:
                event.accrochage_certification_id = event.event_type_id.accrochage_certification_id

    @api.depends("event_type_id")
    def _compute_accrochage_from_type(self):
        for event in self:
            template = event.event_type_id
            if not template:
                continue
            if template.accrochage_duration_hours:
                event.accrochage_duration_hours = template.accrochage_duration_hours
            if template.accrochage_teaching_resources:
                event.accrochage_teaching_resources = template.accrochage_teaching_resources
            if template.accrochage_evaluation_methods:
                event.accrochage_evaluation_methods = template.accrochage_evaluation_methods

    def _compute_accrochage_passage_count(self):
        counts = dict(
            self.env["accrochage.passage"]._read_group(
                [("event_id", "in", self.ids)], ["event_id"], ["__count"]
            )
        )
        for event in self:
            event.accrochage_passage_count = counts.get(event, 0)

    def action_create_passages(self):
        """One passage per admitted attendee that has none yet; returns them.

        Safe to run twice: attendees that already have a passage are skipped.
        Passages with blocking findings are created too, in state "incomplete",
        so they show up in "To fix".
        """
        registrations = self.env["event.registration"].search(
            [
                ("event_id", "in", self.ids),
                ("accrochage_result", "=", RESULT_ADMITTED),
                ("accrochage_passage_ids", "=", False),
                ("event_id.accrochage_certification_id", "!=", False),
            ]
        )
        return registrations._accrochage_create_passages()

    def action_accrochage_build_deposit(self):
        """A deposit of the sessions' ready passages, or why there is none."""
        passages = self.accrochage_passage_ids
        if not passages:
            raise UserError(
                self.env._(
                    "%(sessions)s: no passage yet. Passages are made from the admitted "
                    "attendees when the session ends (or with “Create the passages of "
                    "admitted attendees”).",
                    sessions=", ".join(self.mapped("name")),
                )
            )
        return passages.action_build_deposit()

    def action_accrochage_recheck(self):
        """Check the sessions' passages again (after fixing attendees or holders)."""
        passages = self.accrochage_passage_ids.filtered(
            lambda p: p.state in ("incomplete", "ready", "rejected")
        )
        if not passages:
            raise UserError(
                self.env._(
                    "%(sessions)s: no passage to check.", sessions=", ".join(self.mapped("name"))
                )
            )
        return passages.action_recheck()

    def action_view_accrochage_passages(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "accrochage_certificateur.accrochage_passage_action"
        )
        action["domain"] = [("event_id", "in", self.ids)]
        action["context"] = {"default_event_id": self[:1].id}
        return action
