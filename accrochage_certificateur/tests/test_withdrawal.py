import datetime

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AWARD, AccrochageCase, receipt_xml

NOT_FOUND = "Aucun titulaire ne correspond aux critères obligatoires"


@tagged("post_install", "-at_install")
class TestWithdrawal(AccrochageCase):
    """Schema 1.1.5: an accepted passage is withdrawn (SUPPRESSION), then replaced."""

    def _receive(self, deposit, ok=(), ko=()):
        deposit.action_mark_sent()
        self.env["accrochage.deposit"]._import_receipt(receipt_xml(deposit.id_flux, ok, ko))

    def _validate(self, deposit):
        from accrochage.writer import validate_file

        self.assertEqual(validate_file(self._files_of(deposit)[0], version="1.1.5"), [])

    def test_correction_request_by_withdrawal_and_replacement(self):
        self.company.accrochage_schema_version = "1.1.5"
        attendee, passage, _deposit = self._accepted_from_session()
        request = self.env["accrochage.correction.request"].create(
            {"source": "cdc", "passage_ids": [(6, 0, passage.ids)]}
        )
        corrected = AWARD - datetime.timedelta(days=1)
        attendee.accrochage_award_date = corrected
        self.assertEqual(passage.award_date, AWARD)

        withdrawal = self.env["accrochage.deposit"].browse(
            request.action_build_correction()["res_id"]
        )
        self.assertEqual((withdrawal.action, withdrawal.state), ("SUPPRESSION", "generated"))
        self.assertEqual(withdrawal.deposit_file_ids.action, "SUPPRESSION")
        xml = withdrawal.file_ids.raw.decode()
        self.assertIn("action>SUPPRESSION</", xml)
        self.assertIn(passage.id_technique, xml)
        self._validate(withdrawal)
        self.assertEqual(passage.state, "withdrawing")
        self.assertFalse(request.correcting_deposit_id)

        self._receive(withdrawal, ok=[passage.id_technique])
        self.assertEqual(passage.state, "withdrawn")
        self.assertEqual(request.state, "open")

        new = passage.browse(passage.action_replace()["res_id"])
        self.assertEqual(new.replaces_id, passage)
        self.assertNotEqual(new.id_technique, passage.id_technique)
        self.assertEqual(new.registration_id, attendee)
        self.assertEqual(new.award_date, corrected)
        self.assertEqual(new.state, "ready", new.issue)
        with self.assertRaises(UserError):
            passage.action_replace()

        creation = self.env["accrochage.deposit"].browse(
            request.action_build_correction()["res_id"]
        )
        self.assertEqual(request.correcting_deposit_id, creation)
        self.assertEqual((creation.action, creation.line_ids.passage_id), ("CREATION", new))
        xml = creation.file_ids.raw.decode()
        self.assertIn("action>CREATION</", xml)
        self.assertIn(new.id_technique, xml)
        self.assertNotIn(passage.id_technique, xml)
        self._validate(creation)

        self._receive(creation, ok=[new.id_technique])
        self.assertEqual(new.state, "accepted")
        self.assertEqual(request.state, "corrected")
        self.assertEqual(passage.state, "withdrawn")

    def test_withdrawal_refused_keeps_the_passage_accepted(self):
        self.company.accrochage_schema_version = "1.1.5"
        _attendee, passage, _deposit = self._accepted_from_session()
        withdrawal = self.env["accrochage.deposit"].browse(passage.action_withdraw()["res_id"])
        self._receive(withdrawal, ko=[(passage.id_technique, NOT_FOUND)])
        self.assertEqual(passage.state, "accepted")
        self.assertEqual(passage.cdc_message, NOT_FOUND)
        self.assertFalse(passage.pending_deposit_id)
        # a withdrawal cancelled before it is sent leaves the passage accepted too
        again = self.env["accrochage.deposit"].browse(passage.action_withdraw()["res_id"])
        again.action_cancel()
        self.assertEqual(passage.state, "accepted")

    def test_schema_1_1_2_asks_the_cdc(self):
        _attendee, passage, _deposit = self._accepted_from_session()
        with self.assertRaisesRegex(UserError, "portal"):
            passage.action_withdraw()
        with self.assertRaisesRegex(UserError, "never be sent again"):
            passage.write({"state": "ready"})
        self.assertEqual(passage.state, "accepted")
