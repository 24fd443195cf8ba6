from odoo import fields, models


class EventType(models.Model):
    """A formation: the event template carries the certification it prepares."""

    _inherit = "event.type"

    accrochage_certification_id = fields.Many2one(
        "accrochage.certification", "Certification", ondelete="set null"
    )
    accrochage_duration_hours = fields.Float("Training duration (hours)")
    accrochage_evaluation_methods = fields.Html("Assessment methods")
    accrochage_teaching_resources = fields.Html("Teaching resources")
    accrochage_session_count = fields.Integer(
        "Sessions", compute="_compute_accrochage_session_count"
    )

    def _compute_accrochage_session_count(self):
        counts = dict(
            self.env["event.event"]._read_group(
                [("event_type_id", "in", self.ids)], ["event_type_id"], ["__count"]
            )
        )
        for formation in self:
            formation.accrochage_session_count = counts.get(formation, 0)

    def action_view_accrochage_sessions(self):
        """The sessions of this formation."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("event.action_event_view")
        action.update(
            name=self.env._("Sessions of %(formation)s", formation=self.name),
            domain=[("event_type_id", "=", self.id)],
            context={"default_event_type_id": self.id},
            view_mode="list,kanban,form",
            views=[(False, "list"), (False, "kanban"), (False, "form")],
        )
        return action
