import datetime

import psycopg2

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged, users
from odoo.tools import mute_logger

from .common import TODAY, AccrochageCase, receipt_xml

NOT_FOUND = "Aucun titulaire ne correspond aux critères obligatoires"


@tagged("post_install", "-at_install")
class TestCorrectionRequest(AccrochageCase):
    def _rejected_passage(self):
        passage = self._make_ready_passages(1)
        deposit = self.env["accrochage.deposit"]._create_from_passages(passage)
        deposit._generate()
        deposit.action_mark_sent()
        self.env["accrochage.deposit"]._import_receipt(
            receipt_xml(deposit.id_flux, ko=[(passage.id_technique, NOT_FOUND)])
        )
        self.assertEqual(passage.state, "rejected")
        return passage

    @users("accrochage_manager")
    def test_deadline_is_three_months_after_arrival(self):
        passage = self._make_ready_passages(1).with_env(self.env)
        action = passage.action_new_correction_request()
        with Form(
            self.env["accrochage.correction.request"].with_context(**action["context"])
        ) as form:
            form.source = "holder"
            form.received_date = datetime.date(2026, 11, 30)
            form.description = "<p>Mon nom d'usage est faux.</p>"
        request = form.record
        self.assertEqual(request.deadline, datetime.date(2027, 2, 28))
        self.assertEqual(request.passage_ids, passage)
        self.assertEqual(request.partner_id, passage.partner_id)
        self.assertTrue(request.name.startswith("COR/"))
        self.assertEqual(request.state, "open")
        self.assertEqual(request.user_id, self.env.user)
        found = self.env["accrochage.passage"].search(
            [("correction_request_ids.state", "=", "open"), ("id", "=", passage.id)]
        )
        self.assertEqual(found, passage)

    def test_unfounded_needs_a_justification(self):
        request = self.env["accrochage.correction.request"].create(
            {"source": "cdc", "passage_ids": [(6, 0, self._make_ready_passages(1).ids)]}
        )
        with self.assertRaisesRegex(UserError, "Why unfounded"):
            request.action_mark_unfounded()
        self.assertEqual(request.state, "open")
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.cr.savepoint(),
        ):
            request.write({"state": "unfounded", "justification": "   "})
            request.flush_recordset()
        request.justification = "L'état civil envoyé est celui de l'acte de naissance fourni."
        request.action_mark_unfounded()
        self.assertEqual(request.state, "unfounded")
        # the user's day (Paris), which the UTC date is not between 23:00 and midnight
        self.assertEqual(request.closed_date, fields.Date.context_today(request))
        self.assertIn("unfounded", request.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "already closed"):
            request.action_cancel()

    def test_corrected_by_a_new_deposit(self):
        """CDC request on a rejected passage → fixed → correcting deposit → accepted → closed."""
        passage = self._rejected_passage()
        request = self.env["accrochage.correction.request"].create(
            {"source": "cdc", "passage_ids": [(6, 0, passage.ids)]}
        )
        with self.assertRaisesRegex(UserError, "Correct these passages first"):
            request.action_build_correction()
        passage.partner_id.accrochage_birth_name = "MARTIN-DUPONT"
        passage.action_recheck()
        self.assertEqual(passage.state, "ready")
        with self.assertRaisesRegex(UserError, "name the correcting deposit"):
            request.action_mark_corrected()
        request.action_build_correction()
        deposit = request.correcting_deposit_id
        self.assertEqual(deposit.state, "generated", deposit.error_message)
        self.assertEqual(deposit.line_ids.passage_id, passage)
        self.assertTrue(deposit.is_correction)
        deposit.action_mark_sent()
        self.env["accrochage.deposit"]._import_receipt(
            receipt_xml(deposit.id_flux, ok=[passage.id_technique])
        )
        self.assertEqual(passage.state, "accepted")
        self.assertEqual(request.state, "corrected")
        self.assertIn(deposit.name, request.message_ids[0].body)

    def test_accepted_passage_with_schema_1_1_2(self):
        """A recorded passage is not updated by resending it: the CDC's portal, in French."""
        passage = self._make_ready_passages(1)
        passage.state = "accepted"
        request = self.env["accrochage.correction.request"].create(
            {"source": "holder", "passage_ids": [(6, 0, passage.ids)]}
        )
        with self.assertRaisesRegex(UserError, "portal"):
            request.with_context(lang="en_US").action_build_correction()

    def test_reminders_30_and_7_days_before(self):
        Request = self.env["accrochage.correction.request"]
        soon = Request.create(
            {"source": "holder", "received_date": TODAY - datetime.timedelta(days=70)}
        )
        later = Request.create({"source": "holder", "received_date": TODAY})
        Request._cron_correction_reminders()
        Request._cron_correction_reminders()
        self.assertEqual(len(soon.activity_ids), 1)
        self.assertEqual(soon.deadline_reminder, "30")
        self.assertEqual(soon.activity_ids.date_deadline, soon.deadline)
        self.assertEqual(soon.activity_ids.user_id, soon.user_id)
        self.assertFalse(later.activity_ids)
        from accrochage.deadline import add_months

        soon.received_date = add_months(TODAY, -3) + datetime.timedelta(days=3)
        self.assertLessEqual((soon.deadline - TODAY).days, 7)
        Request._cron_correction_reminders()
        self.assertEqual(len(soon.activity_ids), 2)
        self.assertEqual(soon.deadline_reminder, "7")
        soon.action_cancel()
        self.assertFalse(soon.activity_ids)

    def test_overdue_first(self):
        Request = self.env["accrochage.correction.request"]
        closed = Request.create(
            {"source": "cdc", "received_date": TODAY - datetime.timedelta(days=200)}
        )
        closed.action_cancel()
        fresh = Request.create({"source": "cdc", "received_date": TODAY})
        overdue = Request.create(
            {"source": "cdc", "received_date": TODAY - datetime.timedelta(days=120)}
        )
        self.assertTrue(overdue.is_overdue)
        self.assertFalse(fresh.is_overdue)
        listed = Request.search([("id", "in", (closed | fresh | overdue).ids)])
        self.assertEqual(listed.ids, [overdue.id, fresh.id, closed.id])
        self.assertEqual(Request.search([("is_overdue", "=", True)]) & listed, overdue)
        self.assertEqual(Request.search([("is_overdue", "=", False)]) & listed, fresh | closed)
