from odoo import fields, models


class AccrochagePassageImport(models.TransientModel):
    """A partner without Odoo sends the CDC Excel template: its rows are
    imported as that partner organisation's passages."""

    _inherit = "accrochage.passage.import"

    partner_organisation_id = fields.Many2one(
        "accrochage.partner.organisation",
        "Partner organisation",
        help="The partner organisation that sent this file: its passages are counted on it.",
    )

    def _import(self, only_clean):
        action = super()._import(only_clean)
        if self.partner_organisation_id:
            ids = next(value for name, _op, value in action["domain"] if name == "id")
            self.env["accrochage.passage"].browse(ids).write(
                {"partner_organisation_id": self.partner_organisation_id.id}
            )
        return action
