import base64
import json

import psycopg2

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import AccrochageCase, nir_with_key, receipt_xml


@tagged("post_install", "-at_install")
class TestBadInput(AccrochageCase):
    def _findings(self, passage):
        return {item["code"] for item in json.loads(passage.findings_json)}

    def test_wrong_nir_key(self):
        holder = self.env["res.partner"].create(self._holder_vals(1, accrochage_sex="M"))
        good = nir_with_key("1900569123456")
        wrong = good[:-2] + f"{(int(good[-2:]) + 1) % 97:02d}"
        with self.assertRaises(ValidationError) as caught:
            holder.write({"accrochage_nir": wrong})
        self.assertIn("NIR", str(caught.exception))
        self.assertNotIn(wrong, str(caught.exception))
        self.assertFalse(holder.accrochage_nir)
        holder.write({"accrochage_nir": good})
        self.assertEqual(holder.accrochage_nir, good)

    def test_year_only_birth_date(self):
        passage = self._make_ready_passages(1)
        passage.partner_id.write({"accrochage_birth_month": 0, "accrochage_birth_day": 0})
        self.assertEqual(passage.partner_id.accrochage_birth_date_display, "1990")
        self.assertEqual(passage.state, "ready", passage.issue)

    def test_missing_birth_place_flagged(self):
        passage = self._make_ready_passages(1)
        passage.partner_id.write({"accrochage_birth_insee": False, "accrochage_birth_city": False})
        self.assertIn("birthplace_unknown", self._findings(passage))
        self.assertGreaterEqual(passage.warning_count, 1)

    def test_missing_birth_name_blocks(self):
        passage = self._make_ready_passages(1)
        passage.partner_id.accrochage_birth_name = False
        self.assertEqual(passage.state, "incomplete")
        self.assertIn("#8.1", passage.issue)
        with self.assertRaises(UserError):
            passage.action_build_deposit()
        self.assertFalse(passage.pending_deposit_id)

    def _sent_deposit(self):
        passages = self._make_ready_passages(2)
        deposit = self.env["accrochage.deposit"]._create_from_passages(passages)
        deposit._generate()
        deposit.action_mark_sent()
        return deposit

    def test_receipt_of_another_flux(self):
        deposit = self._sent_deposit()
        ident = deposit.line_ids[0].passage_id.id_technique
        with self.assertRaises(UserError) as caught:
            self.env["accrochage.deposit"]._import_receipt(receipt_xml("flux-inconnu", ok=[ident]))
        self.assertIn("flux-inconnu", str(caught.exception))
        self.assertEqual(deposit.state, "sent")
        self.assertEqual(set(deposit.line_ids.passage_id.mapped("state")), {"exported"})
        # from the deposit's own wizard, a receipt of another deposit is refused too
        other = self._sent_deposit()
        wizard = self.env["accrochage.receipt.import"].create(
            {
                "deposit_id": deposit.id,
                "file": base64.b64encode(receipt_xml(other.id_flux, ok=[ident])),
            }
        )
        with self.assertRaises(UserError):
            wizard.action_import()
        self.assertEqual(other.state, "sent")

    def test_malformed_receipt(self):
        deposit = self._sent_deposit()
        for data in (b"<rapport><idFlux>", b"pas du XML", b""):
            with self.assertRaises(UserError):
                self.env["accrochage.deposit"]._import_receipt(data)
        self.assertEqual(deposit.state, "sent")

    def test_receipt_imported_twice(self):
        deposit = self._sent_deposit()
        ids = deposit.line_ids.passage_id.mapped("id_technique")
        self.env["accrochage.deposit"]._import_receipt(receipt_xml(deposit.id_flux, ok=ids))
        with self.assertRaises(UserError):
            self.env["accrochage.deposit"]._import_receipt(receipt_xml(deposit.id_flux, ok=ids))

    def test_deposit_without_passage(self):
        count = self.env["accrochage.deposit"].search_count([])
        with self.assertRaises(UserError) as caught:
            self.env["accrochage.passage"].browse().action_build_deposit()
        self.assertIn("passage", str(caught.exception))
        self.assertEqual(self.env["accrochage.deposit"].search_count([]), count)

    def test_accepted_never_sent_twice(self):
        deposit = self._sent_deposit()
        passages = deposit.line_ids.passage_id
        self.env["accrochage.deposit"]._import_receipt(
            receipt_xml(deposit.id_flux, ok=passages.mapped("id_technique"))
        )
        self.assertEqual(set(passages.mapped("state")), {"accepted"})
        with self.assertRaises(UserError):
            passages.action_build_deposit()
        with self.assertRaises(UserError):
            passages.write({"state": "ready"})
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.cr.savepoint(),
        ):
            passages[0].write({"pending_deposit_id": deposit.id})
            passages.flush_recordset()

    def test_passage_in_one_open_deposit_only(self):
        passages = self._make_ready_passages(2)
        first = self.env["accrochage.deposit"]._create_from_passages(passages[0])
        second = self.env["accrochage.deposit"]._create_from_passages(passages)
        self.assertEqual(first.line_ids.passage_id, passages[0])
        self.assertEqual(second.line_ids.passage_id, passages[1])

    def test_certifier_id_length(self):
        with self.assertRaises(ValidationError):
            self.certifier.id_client = "123"

    def test_official_xsd_refusal_then_retry(self):
        """A file the uploaded XSD refuses ends in validation error; retry after fixing."""
        other_xsd = (
            b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            b'targetNamespace="urn:cdc:cpf:pc5:schema:1.0.0" elementFormDefault="qualified">'
            b'<xs:element name="autre" type="xs:string"/></xs:schema>'
        )
        self.company.accrochage_xsd_file = base64.b64encode(other_xsd)
        passages = self._make_ready_passages(1)
        deposit = self.env["accrochage.deposit"]._create_from_passages(passages)
        deposit._generate()
        self.assertEqual(deposit.state, "validate_error")
        self.assertIn("official schema", deposit.error_message)
        self.assertTrue(deposit.retryable)
        self.assertEqual(passages.state, "ready")
        self.assertFalse(deposit.file_ids)
        with self.assertRaises(UserError):
            deposit.action_mark_sent()
        self.company.accrochage_xsd_file = False
        deposit.action_retry()
        self.assertEqual(deposit.state, "generated", deposit.error_message)
        self.assertEqual(passages.state, "exported")
        self.assertIn("Retrying", " ".join(deposit.message_ids.mapped("body")))
