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
