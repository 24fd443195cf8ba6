from odoo import api, fields, models
from odoo.tools import format_date


class AccrochageDepositLine(models.Model):
    """One passage in one deposit, and what the CDC said about it."""

    _name = "accrochage.deposit.line"
    _description = "Deposit line"
    _order = "deposit_id desc, id"

    # no index of its own: the unique constraint's index below leads with it
    deposit_id = fields.Many2one("accrochage.deposit", required=True, ondelete="cascade")
    passage_id = fields.Many2one(
        "accrochage.passage", required=True, ondelete="cascade", index=True
    )
    file_id = fields.Many2one(
        "accrochage.deposit.file",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The file of the deposit this passage was written in.",
    )
    company_id = fields.Many2one(related="deposit_id.company_id", store=True, index=True)
    id_technique = fields.Char(related="passage_id.id_technique")
    partner_id = fields.Many2one(related="passage_id.partner_id")
    result = fields.Selection(
        [
            ("pending", "Pending"),
            ("ok", "Accepted"),
            ("ko", "Rejected"),
            ("missing", "Not mentioned"),
        ],
        default="pending",
        required=True,
        index=True,
    )
    already_recorded = fields.Boolean(readonly=True)
    sent_values = fields.Text(
        "Values sent",
        readonly=True,
        copy=False,
        groups="accrochage_certificateur.group_accrochage_manager",
        help="The passage as written in the file (JSON, NIR excluded): what the CDC "
        "holds once it is accepted.",
    )
    message = fields.Text("CDC message", readonly=True)
    category = fields.Char("CDC category", readonly=True)
    hint = fields.Text("How to fix", readonly=True)

    passage_kind = fields.Char(
        "New or correction",
        compute="_compute_passage_kind",
        help="“New”, or “Correction” of a passage the CDC rejected in an earlier deposit.",
    )

    _deposit_passage_uniq = models.Constraint(
        "UNIQUE(deposit_id, passage_id)", "A passage appears only once per deposit."
    )

    @api.depends("passage_id.deposit_line_ids.result")
    @api.depends_context("lang")
    def _compute_passage_kind(self):
        for line in self:
            rejected = line.passage_id.deposit_line_ids.filtered(
                lambda other, line=line: (
                    other.result == "ko"
                    and other.deposit_id != line.deposit_id
                    and other.deposit_id.id < line.deposit_id.id
                )
            )
            if not rejected:
                line.passage_kind = self.env._("New")
                continue
            # a KO line is written when its receipt is applied
            last = max(rejected, key=lambda other: other.deposit_id.id)
            line.passage_kind = self.env._(
                "Correction (rejected on %(date)s)",
                date=format_date(self.env, last.write_date.date()) if last.write_date else "?",
            )
