import ast
import base64
import datetime
import os

from odoo.tests import tagged
from odoo.tools import file_open

from .common import OFFICIAL_XSD, AccrochageCase, receipt_xml

NOT_FOUND = "Aucun titulaire ne correspond aux critères obligatoires"


@tagged("post_install", "-at_install")
class TestFlow(AccrochageCase):
    """Session closed → passages → deposit → receipt → fix → correction deposit."""

    def _close(self, session):
        session.action_set_done()
        self.assertTrue(session.stage_id.pipe_end)
        return session.accrochage_passage_ids

    def test_end_to_end(self):
        from accrochage.writer import validate_file

        admitted = self._make_attendees(self.session, 3)
        self._make_attendees(self.session, 1, result="failed")
        passages = self._close(self.session)

        # the automation rule made one passage per admitted attendee, ready
        self.assertEqual(passages.registration_id, admitted)
        self.assertEqual(set(passages.mapped("state")), {"ready"})
        self.assertEqual(passages.mapped("exam_postcode"), ["69003"] * 3)
        self.assertTrue(all(passages.mapped("deadline")))

        deposit = self.env["accrochage.deposit"].browse(
            passages.with_user(self.user_certif).action_build_deposit()["res_id"]
        )
        self.assertEqual(deposit.state, "generated", deposit.error_message)
        self.assertEqual(deposit.passage_count, 3)
        self.assertEqual(set(passages.mapped("state")), {"exported"})
        self.assertEqual(passages.pending_deposit_id, deposit)
        paths = self._files_of(deposit)
        self.assertEqual(len(paths), 1)
        self.assertEqual(validate_file(paths[0], version="1.1.2"), [])
        if os.path.exists(OFFICIAL_XSD):
            self.assertEqual(validate_file(paths[0], version="1.1.2", xsd=OFFICIAL_XSD), [])

        deposit.with_user(self.user_certif).action_mark_sent()
        self.assertEqual(deposit.state, "sent")

        ok, ko, known = passages
        receipt = receipt_xml(
            deposit.id_flux,
            ok=[ok.id_technique],
            ko=[
                (ko.id_technique, NOT_FOUND),
                (
                    known.id_technique,
                    "Le passage certification avec le bcr émetteur 12ABC345 et l'id "
                    f"technique partenaire {known.id_technique} existe déjà en base",
                ),
            ],
        )
        wizard = (
            self.env["accrochage.receipt.import"]
            .with_user(self.user_certif)
            .create({"file": base64.b64encode(receipt)})
        )
        wizard.action_import()
        self.assertEqual(deposit.state, "processed")
        self.assertEqual((deposit.accepted_count, deposit.rejected_count), (2, 1))
        self.assertEqual(ok.state, "accepted")
        self.assertEqual(known.state, "accepted")
        self.assertEqual(ko.state, "rejected")
        self.assertFalse((ok | ko | known).pending_deposit_id)
        self.assertEqual(ko.cdc_message, NOT_FOUND)
        self.assertIn("nomNaissance", ko.cdc_hint)
        self.assertEqual(len(deposit.receipt_ids), 1)

        # the rejected passage is in "À corriger", with its hint and the contact to fix
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "accrochage_certificateur.accrochage_passage_action_fix"
        )
        to_fix = self.env["accrochage.passage"].search(ast.literal_eval(action["domain"]))
        self.assertEqual(to_fix & passages, ko)
        self.assertEqual(ko.issue, NOT_FOUND)
        self.assertEqual(ko.fix_target, "partner")
        fix = ko.action_open_fix()
        self.assertEqual((fix["res_model"], fix["res_id"]), ("res.partner", ko.partner_id.id))

        # fix the birth name, check again: ready; an accepted passage is never taken
        ko.partner_id.accrochage_birth_name = "MARTIN-DUPONT"
        ko.with_user(self.user_certif).action_recheck()
        self.assertEqual(ko.state, "ready")
        correction = self.env["accrochage.deposit"].browse(
            passages.with_user(self.user_certif).action_build_deposit()["res_id"]
        )
        self.assertEqual(correction.line_ids.passage_id, ko)
        self.assertTrue(correction.is_correction)
        self.assertEqual(correction.state, "generated")
        self.assertIn(ko.id_technique, correction.file_ids.raw.decode())
        self.assertNotIn(ok.id_technique, correction.file_ids.raw.decode())

    def test_session_template_copy(self):
        """The session takes the formation's certification, and keeps its own."""
        other = self.certification.copy({"code": "RS99999", "certification_type": "RS"})
        session = self._make_session(accrochage_certification_id=other.id)
        self.assertEqual(session.accrochage_certification_id, other)
        self.assertEqual(self.session.accrochage_certification_id, self.certification)
        self.formation.accrochage_certification_id = other
        self.assertEqual(self.session.accrochage_certification_id, self.certification)

    def test_incomplete_attendee_flagged(self):
        """A closed session with an incomplete holder: the passage waits in À corriger."""
        registration = self._make_attendees(self.session, 1, accrochage_sex=False)
        passage = self._close(self.session)
        self.assertEqual(passage.state, "incomplete")
        self.assertIn("#8.9", passage.issue)
        self.assertEqual(passage.fix_target, "partner")
        registration.partner_id.accrochage_sex = "F"
        self.assertEqual(passage.state, "ready")

    def test_closing_twice_creates_no_duplicate(self):
        self._make_attendees(self.session, 2)
        first = self._close(self.session)
        again = self.session.action_create_passages()
        self.assertFalse(again)
        self.assertEqual(self.session.accrochage_passage_ids, first)

    def test_cron_builds_in_batches(self):
        self.company.accrochage_deposit_batch = 2
        passages = self._make_ready_passages(5)
        Cron = type(self.env["ir.cron"])
        calls = []
        original = Cron._commit_progress

        def fake_progress(cron, processed=0, *, remaining=None, deactivate=False):
            calls.append((processed, remaining))
            return 100.0

        Cron._commit_progress = fake_progress
        try:
            self.env["accrochage.deposit"]._cron_build_deposits()
        finally:
            Cron._commit_progress = original
        deposits = passages.pending_deposit_id
        self.assertEqual(len(deposits), 3)
        self.assertEqual(sorted(deposits.mapped("passage_count")), [1, 2, 2])
        self.assertEqual(set(deposits.mapped("state")), {"generated"})
        self.assertEqual(calls, [(2, 3), (2, 1), (1, 0)])

    def test_deadline_reminders(self):
        """One activity 30 days before the deadline, another 7 days before."""
        passage = self._make_ready_passages(1)
        Passage = self.env["accrochage.passage"]
        Passage._cron_deadline_reminders()
        self.assertFalse(passage.activity_ids)
        passage.award_date -= datetime.timedelta(days=50)  # deadline in about 3 weeks
        Passage._cron_deadline_reminders()
        Passage._cron_deadline_reminders()
        self.assertEqual(len(passage.activity_ids), 1)
        self.assertEqual(passage.deadline_reminder, "30")
        self.assertEqual(passage.activity_ids.date_deadline, passage.deadline)
        passage.award_date -= datetime.timedelta(days=18)  # deadline within a week
        Passage._cron_deadline_reminders()
        self.assertEqual(len(passage.activity_ids), 2)
        self.assertEqual(passage.deadline_reminder, "7")

    def test_demo_receipt(self):
        """The demo receipt (OK, KO and "existe déjà en base") applies to the demo deposit."""
        deposit = self.env.ref("accrochage_certificateur.demo_deposit", raise_if_not_found=False)
        if not deposit:
            self.skipTest("demo data not installed")
        with file_open("accrochage_certificateur/demo/accuse_traitement_demo.xml", "rb") as f:
            self.env["accrochage.deposit"]._import_receipt(f.read())
        self.assertEqual(deposit.state, "processed")
        self.assertEqual(
            self.env.ref("accrochage_certificateur.demo_passage_sophie").state, "rejected"
        )
        self.assertEqual(
            self.env.ref("accrochage_certificateur.demo_passage_karim").state, "accepted"
        )

    def test_schema_1_1_5_with_nir(self):
        """In 1.1.5 the NIR (13 characters, never the key) identifies the holder."""
        from accrochage.writer import validate_file

        from .common import nir_with_key

        self.company.accrochage_schema_version = "1.1.5"
        passage = self._make_ready_passages(1)
        nir = nir_with_key("2900569123456")
        passage.partner_id.accrochage_nir = nir
        self.assertEqual(passage.state, "ready", passage.issue)
        deposit = self.env["accrochage.deposit"].browse(
            passage.with_user(self.user_certif).action_build_deposit()["res_id"]
        )
        self.assertEqual((deposit.state, deposit.schema_version), ("generated", "1.1.5"))
        xml = deposit.file_ids.raw.decode()
        self.assertIn("2900569123456<", xml)
        self.assertNotIn(nir, xml)
        self.assertEqual(validate_file(self._files_of(deposit)[0], version="1.1.5"), [])
        self.assertNotIn(nir, " ".join(deposit.message_ids.mapped("body")))
