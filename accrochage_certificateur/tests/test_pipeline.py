import datetime
import json
import os
import tempfile

from odoo.tests import Form, tagged

from .common import TODAY, AccrochageCase, receipt_xml

#: the deposit clock of both doors (Paris wall time); the rules count from its day
NOW = datetime.datetime.combine(TODAY, datetime.time(10, 30))
SEED = "odoo-and-cli"


@tagged("post_install", "-at_install")
class TestPipeline(AccrochageCase):
    """Odoo and the CLI go through the engine's one pipeline: same passages out."""

    def _passages(self, count):
        passages = self._make_ready_passages(count)
        for index, passage in enumerate(passages):
            passage.id_technique = f"ODOO-{index + 1:03d}"
        return passages

    def _findings(self, passage):
        return [item["code"] for item in json.loads(passage.findings_json or "[]")]

    def _cli_build(self, facts, out_dir, **options):
        """``accrochage build`` of the same passages written in the CDC template."""
        from accrochage.cli import build
        from accrochage.export import write_passages_csv
        from accrochage.pipeline import FileSource, Options

        source = os.path.join(out_dir, "passages.csv")
        with open(source, "w", encoding="utf-8", newline="") as handle:
            write_passages_csv(facts, handle)
        seen = []
        result = build(
            FileSource([source]),
            os.path.join(out_dir, "depot"),
            Options(now=NOW, flux_seed=SEED, **options),
            progress=False,
            json_out=None,
        )
        with open(result.report, encoding="utf-8-sig") as handle:
            seen = handle.read()
        return result, seen

    def test_odoo_and_the_cli_write_the_same_bytes_and_find_the_same(self):
        passages = self._passages(3)
        typed, unplaced, vae = passages
        typed.partner_id.accrochage_first_name1 = "  élodie   marie "
        unplaced.partner_id.write({"accrochage_birth_insee": False, "accrochage_birth_city": False})
        vae.access_mode = "VAE"
        self.assertEqual(set(passages.mapped("state")), {"ready"}, passages.mapped("issue"))
        self.assertIn("birthplace_unknown", self._findings(unplaced))
        self.assertIn("conditional_missing", self._findings(vae))

        deposit = self.env["accrochage.deposit"]._create_from_passages(passages)
        in_order = deposit.pending_passage_ids
        deposit._generate(now=NOW, flux_seed=SEED)
        self.assertEqual(deposit.state, "generated", deposit.error_message)
        (odoo_xml,) = deposit.file_ids.mapped("raw")

        with tempfile.TemporaryDirectory() as out_dir:
            result, report = self._cli_build(list(in_order._to_engine().values()), out_dir)
            (cli_file,) = result.files
            with open(cli_file.path, "rb") as handle:
                cli_xml = handle.read()
        self.assertEqual(odoo_xml, cli_xml)
        self.assertIn("<cpf:prenom1>ÉLODIE MARIE</cpf:prenom1>".encode(), odoo_xml)
        # the engine completed what the addon no longer states
        self.assertIn(b"<cpf:emetteur>\n<cpf:idClient>12ABC345</cpf:idClient>", odoo_xml)
        self.assertIn(
            b"<cpf:presenceNiveauLangueEuro>false</cpf:presenceNiveauLangueEuro>", odoo_xml
        )
        # the same findings, with the same words, through both doors
        for passage in passages:
            for item in json.loads(passage.findings_json):
                self.assertIn(item["message"], report)
        self.assertEqual(result.counts.warnings, sum(passages.mapped("warning_count")))
        self.assertEqual(result.counts.blocking, 0)

    def test_an_id_twice_in_a_deposit_is_blocked_on_both_and_named(self):
        passages = self._passages(3)
        deposit = self.env["accrochage.deposit"]._create_from_passages(passages)
        first, second, clean = passages
        # the CDC compares the id the flux carries: " ODOO-001" is "ODOO-001"
        second.id_technique = " ODOO-001"
        for passage, other in ((first, second), (second, first)):
            self.assertEqual(passage.state, "incomplete")
            self.assertIn("duplicate_id", self._findings(passage))
            self.assertIn("est aussi porté par", passage.issue)
            self.assertIn(f"{other.id} ({other.display_name})", passage.issue)
            self.assertIn("existe déjà en base", passage.issue)
        deposit._generate()
        self.assertEqual(deposit.state, "generated", deposit.error_message)
        self.assertEqual(deposit.line_ids.passage_id, clean)
        self.assertEqual(clean.state, "exported")
        (xml,) = deposit.file_ids.mapped("raw")
        self.assertNotIn(b"ODOO-001", xml)
        # set aside: out of the deposit, in "To fix" with the reason
        self.assertFalse((first | second).pending_deposit_id)
        self.assertEqual(set((first | second).mapped("state")), {"incomplete"})
        self.assertIn("2 passage(s) set aside", " ".join(deposit.message_ids.mapped("body")))
        to_fix = self.env["accrochage.passage"].search([("has_blocking", "=", True)])
        self.assertIn(first, to_fix)

    def _holder_message(self, passage):
        """The "same holder twice" warning of a passage, or None."""
        found = json.loads(passage.findings_json or "[]")
        return next((f["message"] for f in found if f["code"] == "duplicate_holder"), None)

    def test_the_same_holder_in_the_database_is_named_when_checked_alone(self):
        """The "same holder twice" warning compares a passage with the other
        passages of the database, not only with those checked with it: after a
        change on its contact (the ORM computes that passage alone) and when
        it is checked again alone."""
        first, second, other = self._passages(3)
        self.assertIsNone(self._holder_message(second))
        second.partner_id.accrochage_birth_name = " martina "  # first's holder, typed otherwise
        message = self._holder_message(second)
        self.assertIn(f"{first.id} ({first.display_name})", message or "")
        self.assertEqual(second.state, "ready")  # a warning: it can still be sent
        second.action_recheck()
        self.assertIn(f"{first.id} ({first.display_name})", self._holder_message(second) or "")
        other.action_recheck()
        self.assertIsNone(self._holder_message(other))
        # a passage the CDC withdrew is not recorded twice
        first.state = "withdrawn"
        self.env.flush_all()  # what the other passages are is read as stored
        second.action_recheck()
        self.assertIsNone(self._holder_message(second))

    def test_fixing_one_of_two_ids_frees_the_other(self):
        first, second = self._passages(2)
        second.id_technique = " ODOO-001"
        self.assertEqual(first.state, "incomplete")
        second.id_technique = "ODOO-002"
        self.assertEqual((first | second).mapped("state"), ["ready", "ready"])

    def test_a_deposit_whose_passages_are_all_blocked_says_so(self):
        first, second = self._passages(2)
        deposit = self.env["accrochage.deposit"]._create_from_passages(first | second)
        second.id_technique = "ODOO-001 "
        deposit._generate()
        self.assertEqual(deposit.state, "validate_error")
        self.assertIn("To fix", deposit.error_message)
        self.assertFalse(deposit.file_ids)
        self.assertFalse(deposit.line_ids)

    def test_an_id_the_cdc_accepted_blocks_another_passage(self):
        accepted, other = self._passages(2)
        deposit = self.env["accrochage.deposit"]._create_from_passages(accepted)
        deposit._generate()
        deposit.action_mark_sent()
        self.env["accrochage.deposit"]._import_receipt(
            receipt_xml(deposit.id_flux, ok=[accepted.id_technique])
        )
        self.assertEqual(accepted.state, "accepted")
        other.id_technique = "ODOO-001\t"
        self.assertEqual(other.state, "incomplete")
        self.assertIn("already_accepted", self._findings(other))
        self.assertIn("existe déjà en base", other.issue)
        # the accepted passage itself is not blocked by its own id
        accepted.action_recheck()
        self.assertNotIn("already_accepted", self._findings(accepted))

    def test_strict_mode_blocks_what_a_document_asks_for(self):
        passage = self._passages(1)
        passage.access_mode = "VAE"
        self.assertEqual(passage.state, "ready")
        self.assertEqual(passage.warning_count, 1)
        with Form(self.env["res.config.settings"]) as settings:
            settings.accrochage_strict = True
        self.assertTrue(self.company.accrochage_strict)
        self.assertEqual(passage.state, "incomplete")
        self.assertIn("#7.2", passage.issue)
        self.company.accrochage_strict = False
        self.assertEqual(passage.state, "ready")
