import base64
import datetime

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import AccrochageCase, receipt_xml

NOT_FOUND = "Aucun titulaire ne correspond aux critères obligatoires"


@tagged("post_install", "-at_install")
class TestFixing(AccrochageCase):
    """“Fix” lands on the right record and field; a rejected passage is never resent as is."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["accrochage_certificateur"], ["fr_FR"], overwrite=True
        )

    def _closed(self, **partner_overrides):
        registration = self._make_attendees(self.session, 1, **partner_overrides)
        self.session.action_set_done()
        return registration, registration.accrochage_passage_ids

    def test_every_blocking_finding_with_where_to_fix_it(self):
        registration, passage = self._closed(accrochage_sex=False, accrochage_birth_year=0)
        registration.accrochage_award_date = False
        self.assertEqual(passage.state, "incomplete")
        self.assertEqual(passage.blocking_count, 3)
        lines = passage.with_context(lang="en_US").issue_hint.splitlines()
        self.assertEqual(len(lines), 3)
        holder = registration.accrochage_holder_id.name
        self.assertIn(f"Birth year (#8.6): on the holder “{holder}”, Certification tab.", lines)
        self.assertIn(f"Sex (#8.9): on the holder “{holder}”, Certification tab.", lines)
        self.assertIn("Award date (#5.10): on the attendee", "\n".join(lines))
        # in French for a French reader, from the same stored findings
        french = passage.with_context(lang="fr_FR").issue_hint
        self.assertIn("Sexe (#8.9) : sur le titulaire", french)
        self.assertNotIn("Fix the", french)
        # the first blocking finding, in the dictionary's order, is where "Fix" lands
        self.assertEqual(passage.fix_target, "registration")
        action = passage.action_open_fix()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("event.registration", registration.id)
        )
        self.assertEqual(action["context"]["accrochage_focus_field"], "accrochage_award_date")
        registration.accrochage_award_date = datetime.date.today() - datetime.timedelta(days=5)
        self.assertEqual(passage.fix_target, "partner")
        action = passage.action_open_fix()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("res.partner", passage.partner_id.id)
        )
        self.assertEqual(action["context"]["accrochage_focus_field"], "accrochage_birth_year")

    def test_exam_dates_are_fixed_on_the_session(self):
        _registration, passage = self._closed()
        self.session.accrochage_exam_date_end = (
            self.session.accrochage_exam_date_start - datetime.timedelta(days=3)
        )
        self.assertEqual(passage.fix_target, "event")
        action = passage.action_open_fix()
        self.assertEqual((action["res_model"], action["res_id"]), ("event.event", self.session.id))
        self.assertEqual(action["context"]["accrochage_focus_field"], "accrochage_exam_date_end")

    def test_sex_to_fix_is_on_the_holder_of_a_passage_without_attendee(self):
        passage = self._make_ready_passages(1)
        passage.partner_id.accrochage_sex = False
        self.assertEqual(passage.fix_target, "partner")
        self.assertIn("on the holder", passage.with_context(lang="en_US").issue_hint)

    def _rejected(self):
        passage = self._make_ready_passages(1)
        deposit = self.env["accrochage.deposit"]._create_from_passages(passage)
        deposit._generate()
        deposit.action_mark_sent()
        self.env["accrochage.deposit"]._import_receipt(
            receipt_xml(deposit.id_flux, ko=[(passage.id_technique, NOT_FOUND)])
        )
        self.assertEqual(passage.state, "rejected")
        return passage, deposit

    def test_rejected_passage_released_only_by_a_change(self):
        passage, _deposit = self._rejected()
        self.assertEqual(passage.fix_target, "partner")
        action = passage.action_open_fix()
        self.assertEqual(action["context"]["accrochage_focus_field"], "accrochage_birth_name")
        # checking again changes nothing: the same data would be rejected again
        result = passage.action_recheck()
        self.assertEqual(passage.state, "rejected")
        self.assertIn("Nothing the CDC matches on has changed", result["params"]["message"])
        # a change that does not matter to the CDC's matching: still rejected
        holder = passage.partner_id
        holder.write(
            {"accrochage_birth_name": holder.accrochage_birth_name.lower(), "email": "x@x.fr"}
        )
        passage.action_recheck()
        self.assertEqual(passage.state, "rejected")
        self.assertFalse(passage.match_changed)
        # what the CDC matches on changed: ready again, and the chatter says why
        passage.partner_id.accrochage_first_name1 = "Élodie-Anne"
        self.assertTrue(passage.match_changed)
        passage.action_recheck()
        self.assertEqual(passage.state, "ready")
        self.assertIn("has changed since the rejected file", passage.message_ids[0].body)

    def test_resend_unchanged_needs_a_reason(self):
        passage, _deposit = self._rejected()
        wizard_action = passage.action_resend_unchanged()
        self.assertEqual(wizard_action["name"], "Resend unchanged")
        form = Form(self.env["accrochage.passage.resend"].with_context(**wizard_action["context"]))
        with self.assertRaises(AssertionError):
            form.save()  # the reason is required
        form.reason = "Fiche du titulaire créée au SNGI depuis le rejet"
        form.save().action_confirm()
        self.assertEqual(passage.state, "ready")
        self.assertIn("Fiche du titulaire créée au SNGI", passage.message_ids[0].body)
        with self.assertRaises(UserError):
            passage._resend_unchanged("again")  # not rejected any more

    def test_deposit_says_new_or_correction(self):
        passage, first = self._rejected()
        other = self._make_ready_passages(1)
        passage.partner_id.accrochage_first_name1 = "Élodie-Anne"
        passage.action_recheck()
        correction = self.env["accrochage.deposit"]._create_from_passages(passage | other)
        self.assertTrue(correction.is_correction)
        kinds = {
            line.passage_id: line.with_context(lang="en_US").passage_kind
            for line in correction.line_ids
        }
        self.assertEqual(kinds[other], "New")
        self.assertTrue(kinds[passage].startswith("Correction (rejected on "))
        self.assertIn(
            "Correction (rejeté le",
            correction.line_ids.filtered(lambda line: line.passage_id == passage)
            .with_context(lang="fr_FR")
            .passage_kind,
        )
        self.assertEqual(first.line_ids.with_context(lang="en_US").passage_kind, "New")

    def test_cancelled_deposit_does_not_make_a_correction(self):
        passages = self._make_ready_passages(1)
        first = self.env["accrochage.deposit"]._create_from_passages(passages)
        first._generate()
        first.action_cancel()
        again = self.env["accrochage.deposit"]._create_from_passages(passages)
        self.assertFalse(again.is_correction)

    def test_why_no_passage_is_ready(self):
        self._closed(accrochage_sex=False)
        with self.assertRaises(UserError) as caught:
            self.session.action_accrochage_build_deposit()
        self.assertNotIn("No passage selected", str(caught.exception))
        self.assertIn("1 incomplete", str(caught.exception))
        empty = self._make_session(name="Session vide")
        with self.assertRaisesRegex(UserError, "no passage yet"):
            empty.action_accrochage_build_deposit()
        with self.assertRaisesRegex(UserError, "No passage selected"):
            self.env["accrochage.passage"].action_build_deposit()

    def test_sending_error_says_what_happens_next(self):
        """Retryable: when it is tried again; final: fix the cause, no retry."""
        from unittest.mock import patch

        from accrochage.exceptions import RetryableTransportError, TransportError

        self.company.accrochage_transport_url = "https://relais.example.org/depot"
        passages = self._make_ready_passages(1)
        deposit = self.env["accrochage.deposit"]._create_from_passages(passages)
        deposit._generate()
        retryable = RetryableTransportError("Le serveur n'a pas répondu (erreur passagère).")
        with patch("accrochage.transport.HttpsTransport.send", side_effect=retryable):
            deposit.action_send()
        self.assertEqual(deposit.state, "send_error")
        self.assertIn("erreur passagère", deposit.error_message)
        self.assertIn("tried again automatically", deposit.error_message)
        self.assertIn("attempt 2 of 9", deposit.error_message)
        self.assertTrue(deposit.retryable)
        final = TransportError("Envoi refusé (HTTP 400).")
        with patch("accrochage.transport.HttpsTransport.send", side_effect=final):
            deposit.action_retry()
        self.assertEqual(deposit.state, "send_failed")
        self.assertIn("HTTP 400", deposit.error_message)
        self.assertIn("fix the cause", deposit.error_message)
        self.assertFalse(deposit.retryable)
        self.assertFalse(deposit.next_retry_date)

    def test_contact_refuses_what_the_engine_refuses(self):
        holder = self._make_ready_passages(1).partner_id
        with self.assertRaises(ValidationError):
            holder.accrochage_birth_day = 40

    def test_wizards_have_titles(self):
        self.assertEqual(
            self.env["accrochage.deposit"].browse().action_import_receipt()["name"],
            "Import a CDC processing receipt",
        )
        wizard = self.env["accrochage.passage.import"].create(
            {"file": base64.b64encode(b"5.1;8.1\nX;Y\n"), "filename": "x.csv"}
        )
        self.assertEqual(wizard.action_preview()["name"], "Import passages")
