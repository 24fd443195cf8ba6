from odoo import fields, models


class AccrochageDepositLine(models.Model):
    """One passage in one deposit, and what the CDC said about it."""

    _name = "accrochage.deposit.line"
    _description = "Deposit line"
    _order = "deposit_id desc, id"

    deposit_id = fields.Many2one(
        "accrochage.deposit", required=True, ondelete="cascade", index=True
    )
    passage_id = fields.Many2one(
        "accrochage.passage", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="deposit_id.company_id", store=True, index=True)
    id_technique = fields.Char(related="passage_id.id_technique")
    partner_id = fields.Many2one(related="passage_id.partner_id")
    result = fields.Selection(
        [("pending", "Pending"), ("ok", "Accepted"), ("ko", "Rejected")],
        default="pending",
        required=True,
        index=True,
    )
    already_recorded = fields.Boolean(readonly=True)
    message = fields.Text("CDC message", readonly=True)
    category = fields.Char("CDC category", readonly=True)
    hint = fields.Text("How to fix", readonly=True)

    _deposit_passage_uniq = models.Constraint(
        "UNIQUE(deposit_id, passage_id)", "A passage appears only once per deposit."
    )
