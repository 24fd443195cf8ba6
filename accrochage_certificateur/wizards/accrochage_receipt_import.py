import base64

from odoo import fields, models
from odoo.exceptions import UserError


class AccrochageReceiptImport(models.TransientModel):
    """Read a CDC accusé de traitement and apply it to its deposit."""

    _name = "accrochage.receipt.import"
    _description = "Import a CDC processing receipt"

    file = fields.Binary("Receipt (XML)", required=True)
    filename = fields.Char()
    deposit_id = fields.Many2one(
        "accrochage.deposit",
        help="Leave empty: the deposit is found from the receipt's idFlux.",
    )

    def action_import(self):
        self.ensure_one()
        data = base64.b64decode(self.file or b"")
        Deposit = self.env["accrochage.deposit"]
        if self.deposit_id:
            from accrochage.receipt import parse_receipt

            from ..engine import AccrochageError, raise_engine_error

            try:
                receipt = parse_receipt(data)
            except AccrochageError as error:
                raise_engine_error(self.env, error)
            flux = receipt.id_flux
            file = self.env["accrochage.deposit.file"]._find_for_receipt(receipt)
            if file.deposit_id != self.deposit_id:
                raise UserError(
                    self.env._(
                        "This processing receipt is about flux “%(flux)s”, not the "
                        "flux of deposit %(name)s (%(expected)s): import the receipt "
                        "of the right file.",
                        flux=flux or "?",
                        name=self.deposit_id.name,
                        expected=" ".join(self.deposit_id.deposit_file_ids.mapped("id_flux"))
                        or "-",
                    )
                )
        deposit = Deposit._import_receipt(data, filename=self.filename)
        return deposit._action_open()
