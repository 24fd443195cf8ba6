"""19.0.1.2.0: one ``accrochage.deposit.file`` per deposited file.

Until 19.0.1.1.0 a deposit kept its files' idFlux as space-separated text
(``id_flux_list``), the fluxes that had a receipt likewise
(``receipt_flux_ids``), and its XML files and receipts as two attachment
lists. Each idFlux becomes a file record with its XML attachment (the
attachment's description is its idFlux), its receipt (found by reading the
receipt's own idFlux), its processing id, its state and dates; each deposit
line gets its file. Nothing is deleted: attachments stay on their deposit.
"""

import logging
import re

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists, table_exists

_logger = logging.getLogger(__name__)

_ID_TECHNIQUE = re.compile(rb"<(?:\w+:)?idTechnique>\s*([^<\s]+)\s*</(?:\w+:)?idTechnique>")


def migrate(cr, version):
    if not version or not column_exists(cr, "accrochage_deposit", "id_flux_list"):
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    files, receipts, orphans = migrate_deposit_files(env)
    # counts only: deposits hold personal data
    _logger.info(
        "accrochage_certificateur %s: %s deposited files, %s receipts linked, %s receipts "
        "left on their deposit only",
        version,
        files,
        receipts,
        orphans,
    )


def _attachments(cr, table, deposit_id):
    if not table_exists(cr, table):
        return []
    cr.execute(
        SQL(
            "SELECT attachment_id FROM %s WHERE deposit_id = %s ORDER BY attachment_id",
            SQL.identifier(table),
            deposit_id,
        )
    )
    return [row[0] for row in cr.fetchall()]


def migrate_deposit_files(env):
    """Create the file records of every deposit that has none; returns counts."""
    from accrochage.exceptions import AccrochageError
    from accrochage.receipt import parse_receipt

    cr = env.cr
    cr.execute(
        SQL(
            "SELECT d.id, d.id_flux, d.id_flux_list, d.receipt_flux_ids, d.id_traitement, "
            "d.horodatage, d.sent_date, d.processed_date FROM accrochage_deposit d "
            "WHERE NOT EXISTS (SELECT 1 FROM accrochage_deposit_file f WHERE f.deposit_id = d.id) "
            "ORDER BY d.id"
        )
    )
    rows = cr.fetchall()
    Attachment = env["ir.attachment"]
    File = env["accrochage.deposit.file"]
    created = linked = orphans = 0
    for deposit_id, id_flux, flux_list, answered, id_traitement, horodatage, sent, done in rows:
        fluxes = list(dict.fromkeys((flux_list or id_flux or "").split()))
        if not fluxes:
            continue  # a draft or a refused generation: no file was written
        xml = Attachment.browse(_attachments(cr, "accrochage_deposit_file_rel", deposit_id))
        by_flux = {a.description: a for a in xml if a.description in fluxes}
        unmatched = [a for a in xml if a not in by_flux.values()]
        for flux in fluxes:
            if flux not in by_flux and unmatched:
                by_flux[flux] = unmatched.pop(0)
        receipts = {}
        for attachment in Attachment.browse(
            _attachments(cr, "accrochage_deposit_receipt_rel", deposit_id)
        ):
            try:
                receipt = parse_receipt(attachment.raw or b"")
            except AccrochageError:
                receipt = None
            flux = receipt and (receipt.id_flux or (fluxes[0] if len(fluxes) == 1 else None))
            if flux in fluxes and flux not in receipts:
                receipts[flux] = (attachment, receipt)
            else:
                orphans += 1
        answered = set((answered or "").split())
        vals_list = []
        for index, flux in enumerate(fluxes):
            attachment = by_flux.get(flux, Attachment)
            receipt_attachment, receipt = receipts.get(flux, (Attachment, None))
            state = "sent" if sent else "generated"
            if flux in answered or receipt:
                state = "rejected" if receipt and receipt.rejected_whole else "processed"
            vals_list.append(
                {
                    "deposit_id": deposit_id,
                    "sequence": index,
                    "name": attachment.name or f"{flux}.xml",
                    "id_flux": flux,
                    "action": "CREATION",
                    "horodatage": horodatage,
                    "attachment_id": attachment.id,
                    "receipt_attachment_id": receipt_attachment.id,
                    "id_traitement": (receipt and receipt.id_traitement)
                    or (id_traitement if len(fluxes) == 1 and state != "sent" else False),
                    "state": state,
                    "sent_date": sent,
                    "receipt_date": (receipt_attachment.create_date or done)
                    if state in ("processed", "rejected")
                    else False,
                    "error_message": "\n".join(receipt.file_errors) if receipt else False,
                }
            )
            linked += bool(receipt_attachment)
        files = File.create(vals_list)
        created += len(files)
        _link_lines(env, deposit_id, files)
    link_single_file_lines(env)
    return created, linked, orphans


def link_single_file_lines(env):
    """Lines of a one-file deposit whose file came with the module's data (the demo)."""
    env.cr.execute(
        SQL(
            "UPDATE accrochage_deposit_line AS line SET file_id = file.id "
            "FROM accrochage_deposit_file AS file WHERE line.file_id IS NULL "
            "AND file.deposit_id = line.deposit_id AND (SELECT count(*) FROM "
            "accrochage_deposit_file AS other WHERE other.deposit_id = line.deposit_id) = 1"
        )
    )
    env["accrochage.deposit.line"].invalidate_model(["file_id"])


def _link_lines(env, deposit_id, files):
    """Each line of the deposit gets the file it was written in."""
    cr = env.cr
    if len(files) == 1:
        cr.execute(
            SQL(
                "UPDATE accrochage_deposit_line SET file_id = %s "
                "WHERE deposit_id = %s AND file_id IS NULL",
                files.id,
                deposit_id,
            )
        )
        env["accrochage.deposit.line"].invalidate_model(["file_id"])
        return
    for file in files:
        ids = [match.decode() for match in _ID_TECHNIQUE.findall(file.attachment_id.raw or b"")]
        if not ids:
            continue
        cr.execute(
            SQL(
                "UPDATE accrochage_deposit_line AS line SET file_id = %s "
                "FROM accrochage_passage AS passage WHERE line.deposit_id = %s "
                "AND line.file_id IS NULL AND passage.id = line.passage_id "
                "AND passage.id_technique = ANY(%s)",
                file.id,
                deposit_id,
                ids,
            )
        )
    env["accrochage.deposit.line"].invalidate_model(["file_id"])
