import os
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine import AccrochageError, raise_engine_error

#: one CDC file's life: written, uploaded, answered by a receipt
STATES = [
    ("generated", "Generated"),
    ("sent", "Sent"),
    ("processed", "Processed"),
    ("rejected", "Rejected as a whole"),
]
#: a flux/action of schema 1.1.5 (1.1.2 files are all creations)
ACTIONS = [("CREATION", "Creation"), ("SUPPRESSION", "Withdrawal")]

#: deposit line result of each passage outcome (accrochage.receipt.STATUSES)
LINE_RESULTS = {
    "accepted": "ok",
    "already_recorded": "ok",
    "rejected": "ko",
    "file_rejected": "ko",
    "not_mentioned": "missing",
}


class AccrochageDepositFile(models.Model):
    """One XML file of a deposit, as the CDC knows it: its idFlux and its receipt.

    A deposit may hold several files (one per certifier, split at 200 MB or
    200,000 passages); the CDC answers each with its own accusé de
    traitement, which is matched on the file's ``idFlux`` (an indexed,
    unique equality), never on a list of ids in a text.
    """

    _name = "accrochage.deposit.file"
    _description = "Deposited file"
    _order = "deposit_id desc, sequence, id"
    _check_company_auto = True

    deposit_id = fields.Many2one(
        "accrochage.deposit", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="deposit_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10, readonly=True)
    name = fields.Char("File name", required=True, readonly=True)
    id_flux = fields.Char("Flux id", required=True, readonly=True, copy=False)
    action = fields.Selection(
        ACTIONS,
        default="CREATION",
        required=True,
        readonly=True,
        help="Creation of passages, or (schema 1.1.5) withdrawal of passages already accepted.",
    )
    horodatage = fields.Char("Timestamp", readonly=True)
    passage_count = fields.Integer("Passages", readonly=True)
    attachment_id = fields.Many2one("ir.attachment", "XML file", readonly=True, ondelete="restrict")
    receipt_attachment_id = fields.Many2one(
        "ir.attachment", "Processing receipt", readonly=True, ondelete="restrict"
    )
    id_traitement = fields.Char("CDC processing id", readonly=True)
    state = fields.Selection(STATES, default="generated", required=True, readonly=True, index=True)
    sent_date = fields.Datetime(readonly=True)
    receipt_date = fields.Datetime("Receipt date", readonly=True)
    error_message = fields.Text("File errors", readonly=True)
    line_ids = fields.One2many("accrochage.deposit.line", "file_id", readonly=True)

    _id_flux_uniq = models.Constraint(
        "UNIQUE(id_flux)", "Each deposited file has its own flux id (idFlux)."
    )

    @api.model
    def _find_for_receipt(self, receipt):
        """The file a parsed receipt answers: its idFlux, else its file name.

        The receipt guide's own example carries no idFlux, only nomFichier.
        """
        if receipt.id_flux:
            return self.search([("id_flux", "=", receipt.id_flux)], limit=1)
        if receipt.nom_fichier:
            return self.search(
                [("name", "=", os.path.basename(receipt.nom_fichier))], order="id desc", limit=1
            )
        return self.browse()

    def _apply_receipt(self, receipt, data, filename=None):
        """Apply a parsed receipt to this file: lines, passages, then the deposit.

        The engine computes the outcome of each passage of the file
        (:func:`accrochage.receipt.receipt_outcome`); the lines and passages
        are then written in one batch per distinct outcome, so the cost is
        linear in the size of the file.
        """
        from accrochage.receipt import receipt_outcome

        self.ensure_one()
        deposit = self.deposit_id
        if self.receipt_attachment_id:
            raise UserError(
                self.env._(
                    "The processing receipt of flux “%(flux)s” has already been "
                    "imported on deposit %(name)s.",
                    flux=self.id_flux,
                    name=deposit.name,
                )
            )
        deposit._ensure_state(("generated", "sent", "send_error", "send_failed"))
        Line = self.env["accrochage.deposit.line"]
        Line.flush_model(["file_id", "passage_id"])
        # two plain reads of (line, passage) and (passage, idTechnique): through
        # the ORM, the related id_technique of 200,000 lines costs 15 s
        # (bench/bench_receipt.py); one join may be planned as a nested loop
        # over every passage while the tables' statistics lag behind
        self.env.cr.execute(
            SQL(
                "SELECT id, passage_id FROM accrochage_deposit_line WHERE file_id = %s ORDER BY id",
                self.id,
            )
        )
        rows = self.env.cr.fetchall()
        self.env["accrochage.passage"].flush_model(["id_technique"])
        self.env.cr.execute(
            SQL(
                "SELECT id, id_technique FROM accrochage_passage WHERE id = ANY(%s)",
                [row[1] for row in rows],
            )
        )
        techniques = dict(self.env.cr.fetchall())
        by_technique = {techniques[passage]: (line, passage) for line, passage in rows}
        try:
            outcome = receipt_outcome(
                list(by_technique), receipt, id_flux=self.id_flux, file_name=self.name
            )
        except AccrochageError as error:
            raise_engine_error(self.env, error)
        groups = defaultdict(list)
        for passage in outcome.passages:
            key = (passage.status, passage.message, passage.category, passage.hint)
            groups[key].append(by_technique[passage.id_technique])
        now = fields.Datetime.now()
        Line.flush_model(["result", "already_recorded", "message", "category", "hint"])
        Passage = self.env["accrochage.passage"]
        for (status, message, category, hint), pairs in groups.items():
            line_ids = [pair[0] for pair in pairs]
            # one UPDATE per outcome: the ORM sends one per 100 lines with the
            # same values (500 for a 50,000-passage receipt, bench/bench_receipt.py)
            self.env.cr.execute(
                SQL(
                    "UPDATE accrochage_deposit_line SET result = %s, already_recorded = %s, "
                    "message = %s, category = %s, hint = %s, write_uid = %s, "
                    "write_date = now() at time zone 'UTC' WHERE id = ANY(%s)",
                    LINE_RESULTS[status],
                    status == "already_recorded",
                    message,
                    category,
                    hint,
                    self.env.uid,
                    line_ids,
                )
            )
            if status != "not_mentioned":  # they wait for every file's answer
                Passage.browse(pair[1] for pair in pairs)._apply_cdc_outcome(
                    status,
                    message=message,
                    category=category,
                    hint=hint,
                    date=now,
                    action=self.action,
                )
        Line.invalidate_model(
            ["result", "already_recorded", "message", "category", "hint", "write_uid", "write_date"]
        )
        deposit.invalidate_recordset(["passage_count", "accepted_count", "rejected_count"])
        file_error = "\n".join(receipt.file_errors) or False
        attachment = self.env["ir.attachment"].create(
            {
                "name": filename or f"accuse-traitement-{self.id_flux}.xml",
                "raw": data if isinstance(data, bytes) else data.encode(),
                "mimetype": "application/xml",
                "res_model": deposit._name,
                "res_id": deposit.id,
            }
        )
        self.write(
            {
                "receipt_attachment_id": attachment.id,
                "id_traitement": receipt.id_traitement or False,
                "state": "rejected" if receipt.rejected_whole else "processed",
                "receipt_date": now,
                "error_message": file_error,
            }
        )
        deposit._after_receipt(self, outcome, attachment)
        return outcome
