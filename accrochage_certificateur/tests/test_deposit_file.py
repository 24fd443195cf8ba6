import base64
import datetime
import json
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import AWARD, AccrochageCase, load_migration, receipt_xml

NOT_FOUND = "Aucun titulaire ne correspond aux critères obligatoires"


def file_rejected_receipt(id_flux):
    """The receipt of a file refused as a whole by the XML check (guide V5 §4.4.1)."""
    return (
        "<rapport><nomFichier>depot.xml</nomFichier>"
        f"<idFlux>{id_flux}</idFlux><idTraitement>77</idTraitement><erreurs><erreur>"
        "<type>XSD</type><message>cvc-complex-type.2.4.a: Invalid content was found "
        "starting with element 'sexe'.</message><ligne>7</ligne><colonne>12</colonne>"
        "</erreur></erreurs></rapport>"
    ).encode()


@tagged("post_install", "-at_install")
class TestDepositFile(AccrochageCase):
    def _deposit(self, count, files=1):
        """A generated deposit of ``count`` passages written in ``files`` files."""
        from accrochage import writer

        passages = self._make_ready_passages(count)
        deposit = self.env["accrochage.deposit"]._create_from_passages(passages)
        per_file = -(-count // files)

        def write_deposit(*args, **options):  # the pipeline's writer, files of per_file
            return writer.write_deposit(*args, **{**options, "max_passages": per_file})

        with patch("accrochage.pipeline.write_deposit", write_deposit):
            deposit._generate()
        self.assertEqual(deposit.state, "generated", deposit.error_message)
        return deposit, passages

    def test_one_record_per_file(self):
        deposit, passages = self._deposit(3)
        file = deposit.deposit_file_ids
        self.assertEqual(len(file), 1)
        self.assertEqual(file.passage_count, 3)
        self.assertEqual(file.action, "CREATION")
        self.assertEqual(file.attachment_id, deposit.file_ids)
        self.assertIn(f"idFlux>{file.id_flux}</", file.attachment_id.raw.decode())
        self.assertEqual(deposit.line_ids.file_id, file)
        self.assertEqual(deposit.id_flux, file.id_flux)
        found = self.env["accrochage.deposit"].search([("id_flux", "=", file.id_flux)])
        self.assertEqual(found, deposit)

    def test_receipt_of_one_file_of_two(self):
        """Each file answers for itself; the deposit is processed once both have."""
        deposit, passages = self._deposit(4, files=2)
        first, second = deposit.deposit_file_ids
        self.assertEqual(deposit.file_count, 2)
        self.assertEqual(first.line_ids.passage_id | second.line_ids.passage_id, passages)
        self.assertEqual(len(first.line_ids), 2)
        deposit.action_mark_sent()
        a, b = first.line_ids.passage_id
        self.env["accrochage.deposit"]._import_receipt(
            receipt_xml(first.id_flux, ok=[a.id_technique], ko=[(b.id_technique, NOT_FOUND)])
        )
        self.assertEqual(first.state, "processed")
        self.assertEqual(first.id_traitement, "4242")
        self.assertEqual(second.state, "sent")
        self.assertEqual(deposit.state, "sent")
        self.assertEqual((a.state, b.state), ("accepted", "rejected"))
        self.assertEqual(set(second.line_ids.passage_id.mapped("state")), {"exported"})
        self.assertEqual(second.line_ids.passage_id.pending_deposit_id, deposit)
        # the same receipt again is refused, the file says so
        with self.assertRaisesRegex(UserError, "already been imported"):
            self.env["accrochage.deposit"]._import_receipt(receipt_xml(first.id_flux))
        # the second file's receipt forgets one passage: it goes back to ready
        c, d = second.line_ids.passage_id
        self.env["accrochage.deposit"]._import_receipt(
            receipt_xml(second.id_flux, ok=[c.id_technique])
        )
        self.assertEqual(deposit.state, "processed")
        self.assertEqual((c.state, d.state), ("accepted", "ready"))
        self.assertFalse(d.pending_deposit_id)
        self.assertEqual(
            second.line_ids.filtered(lambda line: line.passage_id == d).result, "missing"
        )
        self.assertEqual(len(deposit.receipt_ids), 2)
        self.assertIn(d.display_name, deposit.message_ids[0].body)
        self.assertEqual((deposit.accepted_count, deposit.rejected_count), (2, 1))

    def test_file_rejected_as_a_whole(self):
        deposit, passages = self._deposit(2)
        deposit.action_mark_sent()
        self.env["accrochage.deposit"]._import_receipt(
            file_rejected_receipt(deposit.id_flux), filename="accuse.xml"
        )
        file = deposit.deposit_file_ids
        self.assertEqual(file.state, "rejected")
        self.assertEqual(file.receipt_attachment_id.name, "accuse.xml")
        self.assertIn("cvc-complex-type", file.error_message)
        self.assertEqual(deposit.state, "processed")
        self.assertEqual(set(passages.mapped("state")), {"rejected"})
        self.assertEqual(set(deposit.line_ids.mapped("result")), {"ko"})
        self.assertEqual(set(passages.mapped("cdc_category")), {"fichier_rejete"})
        self.assertIn("Fichier rejeté en entier", passages[0].cdc_hint)
        self.assertIn("ligne 7", passages[0].cdc_message)

    def test_unknown_flux_is_refused(self):
        self._deposit(1)
        with self.assertRaisesRegex(UserError, "matches no deposit"):
            self.env["accrochage.deposit"]._import_receipt(receipt_xml("F-inconnu"))

    def test_receipt_on_the_wrong_deposit(self):
        deposit, _passages = self._deposit(1)
        other, _others = self._deposit(1)
        wizard = self.env["accrochage.receipt.import"].create(
            {"file": base64.b64encode(receipt_xml(deposit.id_flux)), "deposit_id": other.id}
        )
        with self.assertRaisesRegex(UserError, "not the flux of deposit"):
            wizard.action_import()

    def test_upgrade_from_the_space_separated_lists(self):
        """A database of 19.0.1.1.0 (idFlux lists in text) keeps every deposit,
        file and receipt once migrated."""
        processed, processed_passages = self._deposit(2)
        processed.action_mark_sent()
        ok, ko = processed_passages
        receipt = receipt_xml(
            processed.id_flux, ok=[ok.id_technique], ko=[(ko.id_technique, NOT_FOUND)]
        )
        self.env["accrochage.deposit"]._import_receipt(receipt, filename="accuse-1.xml")
        halfway, halfway_passages = self._deposit(4, files=2)
        halfway.action_mark_sent()
        first, second = halfway.deposit_file_ids
        self.env["accrochage.deposit"]._import_receipt(
            receipt_xml(first.id_flux, ok=first.line_ids.passage_id.mapped("id_technique"))
        )
        expected = {
            deposit: [
                (f.id_flux, f.attachment_id, f.receipt_attachment_id, f.state, f.line_ids)
                for f in deposit.deposit_file_ids
            ]
            for deposit in processed | halfway
        }
        self._downgrade(processed | halfway)
        self.assertFalse((processed | halfway).deposit_file_ids)

        load_migration("19.0.1.2.0").migrate(self.env.cr, "19.0.1.1.0")
        self.env.invalidate_all()

        for deposit, files in expected.items():
            self.assertEqual(
                [
                    (f.id_flux, f.attachment_id, f.receipt_attachment_id, f.state, f.line_ids)
                    for f in deposit.deposit_file_ids
                ],
                files,
            )
        self.assertEqual(processed.deposit_file_ids.id_traitement, "4242")
        self.assertEqual(processed.state, "processed")
        # the migrated deposit goes on: the second file's receipt applies
        second = halfway.deposit_file_ids[1]
        self.assertEqual(second.state, "sent")
        self.env["accrochage.deposit"]._import_receipt(
            receipt_xml(second.id_flux, ok=second.line_ids.passage_id.mapped("id_technique"))
        )
        self.assertEqual(halfway.state, "processed")
        self.assertEqual(set(halfway_passages.mapped("state")), {"accepted"})
        # running it twice changes nothing
        load_migration("19.0.1.2.0").migrate(self.env.cr, "19.0.1.1.0")
        self.assertEqual(len(halfway.deposit_file_ids), 2)

    def _downgrade(self, deposits):
        """Put these deposits back in the 19.0.1.1.0 layout, as an old database has them."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            "ALTER TABLE accrochage_deposit ADD COLUMN IF NOT EXISTS id_flux_list varchar, "
            "ADD COLUMN IF NOT EXISTS receipt_flux_ids varchar, "
            "ADD COLUMN IF NOT EXISTS id_flux varchar"
        )
        for table in ("accrochage_deposit_file_rel", "accrochage_deposit_receipt_rel"):
            cr.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (deposit_id integer, attachment_id integer)"
            )
        for deposit in deposits:
            files = deposit.deposit_file_ids
            cr.execute(
                "UPDATE accrochage_deposit SET id_flux = %s, id_flux_list = %s, "
                "receipt_flux_ids = %s WHERE id = %s",
                (
                    files[0].id_flux,
                    " ".join(files.mapped("id_flux")),
                    " ".join(files.filtered("receipt_attachment_id").mapped("id_flux")),
                    deposit.id,
                ),
            )
            for attachment in files.attachment_id:
                cr.execute(
                    "INSERT INTO accrochage_deposit_file_rel VALUES (%s, %s)",
                    (deposit.id, attachment.id),
                )
            for attachment in files.receipt_attachment_id:
                cr.execute(
                    "INSERT INTO accrochage_deposit_receipt_rel VALUES (%s, %s)",
                    (deposit.id, attachment.id),
                )
            cr.execute(
                "UPDATE accrochage_deposit_line SET file_id = NULL WHERE deposit_id = %s",
                (deposit.id,),
            )
            cr.execute("DELETE FROM accrochage_deposit_file WHERE deposit_id = %s", (deposit.id,))
        self.env.invalidate_all()


@tagged("post_install", "-at_install")
class TestSentSnapshot(AccrochageCase):
    """What was sent is kept; an accepted passage no longer follows its sources."""

    def test_accepted_passage_keeps_what_was_sent(self):
        attendee, passage, deposit = self._accepted_from_session()
        sent = json.loads(deposit.line_ids.sent_values)
        self.assertEqual(sent["idTechnique"], passage.id_technique)
        self.assertEqual(sent["dateDebutValidite"], str(AWARD))
        self.assertEqual(sent["nomNaissance"], passage.partner_id.accrochage_birth_name)
        self.assertFalse(passage.changed_since_sent)

        later = AWARD + datetime.timedelta(days=5)
        attendee.accrochage_award_date = later
        passage.partner_id.accrochage_birth_name = "MARTIN-DUPONT"
        self.assertEqual(passage.award_date, AWARD)  # frozen: the CDC holds AWARD
        self.assertEqual(passage.state, "accepted")
        self.assertTrue(passage.changed_since_sent)
        diff = passage.with_user(self.user_manager).sent_diff_html
        self.assertIn(f"{AWARD} → {later}", diff)
        self.assertIn("MARTIN-DUPONT", diff)
        self.assertIn("(#5.10)", diff)

    def test_nir_never_kept_and_birth_data_for_managers_only(self):
        from .common import nir_with_key

        self.company.accrochage_schema_version = "1.1.5"
        attendee, passage, deposit = self._accepted_from_session()
        nir = nir_with_key("2900569123456")
        self.assertNotIn("2900569123", deposit.line_ids.sudo().sent_values or "")
        passage.partner_id.accrochage_nir = nir
        passage.partner_id.accrochage_birth_day = 18
        self.assertNotIn("2900569123", passage.with_user(self.user_manager).sent_diff_html or "")
        self.assertIn("17 → 18", passage.with_user(self.user_manager).sent_diff_html)
        user_view = passage.with_user(self.user_certif)
        self.assertNotIn("17 → 18", user_view.sent_diff_html or "")
        with self.assertRaises(AccessError):
            deposit.line_ids.with_user(self.user_certif).sent_values  # noqa: B018

    def test_rejected_passage_follows_its_sources(self):
        attendee = self._make_attendees(self.session, 1)
        self.session.action_set_done()
        passage = self.session.accrochage_passage_ids
        deposit = self.env["accrochage.deposit"]._create_from_passages(passage)
        deposit._generate()
        self.env["accrochage.deposit"]._import_receipt(
            receipt_xml(deposit.id_flux, ko=[(passage.id_technique, NOT_FOUND)])
        )
        later = AWARD + datetime.timedelta(days=2)
        attendee.accrochage_award_date = later
        self.assertEqual(passage.award_date, later)
        self.assertFalse(passage.changed_since_sent)
