from odoo import fields, models


class AccrochagePassageResend(models.TransientModel):
    """Send rejected passages again as they are, saying why (kept in the chatter).

    The CDC rejected them on what it matches on; sending the same data again
    is only right when the user knows why it will now pass (the holder's
    record was created at the CDC since, a CDC incident, …).
    """

    _name = "accrochage.passage.resend"
    _description = "Resend rejected passages unchanged"

    passage_ids = fields.Many2many("accrochage.passage", string="Passages", required=True)
    reason = fields.Text(
        required=True,
        help="Why the same data should now be accepted; kept in each passage's history.",
    )

    def action_confirm(self):
        self.ensure_one()
        self.passage_ids._resend_unchanged(self.reason)
        return {"type": "ir.actions.act_window_close"}
