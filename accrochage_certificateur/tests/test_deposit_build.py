import base64
import json

from odoo.tests import tagged

from .common import AccrochageCase

#: a schema that no CDC flux matches, as an official XSD uploaded by mistake
OTHER_XSD = (
    b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    b'targetNamespace="urn:cdc:cpf:pc5:schema:1.0.0" elementFormDefault="qualified">'
    b'<xs:element name="autre" type="xs:string"/></xs:schema>'
)


@tagged("post_install", "-at_install")
class TestDepositBuild(AccrochageCase):
    """ "Build deposit" links each passage to its deposit and writes its line once."""

    def test_build_deposit_records_each_line_with_its_file_and_what_was_sent(self):
        passages = self._make_ready_passages(3)
        deposit = self.env["accrochage.deposit"]._build_from_passages(passages)
        self.assertEqual(deposit.state, "generated", deposit.error_message)
        self.assertEqual(passages.pending_deposit_id, deposit)
        self.assertEqual(set(passages.mapped("state")), {"exported"})
        self.assertEqual(deposit.passage_count, 3)
        (file,) = deposit.deposit_file_ids
        for passage in passages:
            (line,) = deposit.line_ids.filtered(lambda line, p=passage: line.passage_id == p)
            self.assertEqual(line.file_id, file)
            self.assertEqual(line.result, "pending")
            sent = json.loads(line.sent_values)
            self.assertEqual(sent["idTechnique"], passage.id_technique)
            self.assertNotIn("nir", sent)
        # what the CDC matches on is remembered: nothing changed since the file
        self.assertEqual(passages._match_fingerprints(), {p: p.sent_fingerprint for p in passages})
        self.assertFalse(any(passages.mapped("match_changed")))

    def test_build_deposit_and_a_draft_generated_later_give_the_same_deposit(self):
        built = self._make_ready_passages(2)
        drafted = self._make_ready_passages(2)
        by_button = self.env["accrochage.deposit"]._build_from_passages(built)
        draft = self.env["accrochage.deposit"]._create_from_passages(drafted)
        self.assertEqual(draft.passage_count, 2)  # a draft holds its pending lines
        draft._generate()
        for deposit, passages in ((by_button, built), (draft, drafted)):
            self.assertEqual(deposit.state, "generated", deposit.error_message)
            self.assertEqual(len(deposit.line_ids), 2)
            self.assertEqual(deposit.line_ids.file_id, deposit.deposit_file_ids)
            self.assertEqual(set(passages.mapped("state")), {"exported"})

        def sent(deposit):
            """What each line says was sent, but the idTechnique and the holder's name."""
            skip = {"idTechnique", "nomNaissance"}
            return sorted(
                repr(
                    sorted((k, v) for k, v in json.loads(line.sent_values).items() if k not in skip)
                )
                for line in deposit.line_ids
            )

        self.assertEqual(sent(by_button), sent(draft))

    def test_a_line_keeps_what_was_sent_to_the_character(self):
        """The lines reach PostgreSQL by COPY: what ``COPY`` reads as a separator or
        an escape (backslash, tab, line break, ``\\N``) comes back as it was sent,
        and the pending lines of a draft are completed, not doubled."""
        passages = self._make_ready_passages(3)
        draft = self.env["accrochage.deposit"]._create_from_passages(passages)
        pending = draft.line_ids
        texts = ['{"a": "C:\\\\N\\t\\"x\\""}', "tab\there\nline\r\\N é", None]
        draft._write_lines(passages.ids, [None] * 3, texts)
        self.assertEqual(draft.line_ids, pending)
        for passage, text in zip(passages, texts, strict=True):
            (line,) = pending.filtered(lambda line, p=passage: line.passage_id == p)
            self.assertEqual(line.sent_values or None, text)
            self.assertEqual(line.result, "pending")
            self.assertFalse(line.file_id)

    def test_a_file_that_cannot_be_made_keeps_its_passages_in_the_deposit(self):
        """The official XSD refuses the file: the deposit holds its passages, to retry."""
        self.company.accrochage_xsd_file = base64.b64encode(OTHER_XSD)
        passages = self._make_ready_passages(2)
        deposit = self.env["accrochage.deposit"]._build_from_passages(passages)
        self.assertEqual(deposit.state, "validate_error")
        self.assertIn("official schema", deposit.error_message)
        self.assertEqual(passages.pending_deposit_id, deposit)
        self.assertEqual(set(passages.mapped("state")), {"ready"})
        self.assertEqual(deposit.line_ids.passage_id, passages)
        self.assertEqual(set(deposit.line_ids.mapped("result")), {"pending"})
        self.assertFalse(deposit.line_ids.file_id)
        # another build does not take them: they are in this deposit
        self.assertIn(
            "already in the open deposit",
            passages._not_ready_message(),
        )
        self.company.accrochage_xsd_file = False
        deposit.action_retry()
        self.assertEqual(deposit.state, "generated", deposit.error_message)
        self.assertEqual(set(passages.mapped("state")), {"exported"})
        self.assertEqual(deposit.line_ids.file_id, deposit.deposit_file_ids)

    def test_passages_set_aside_by_build_deposit_leave_no_line(self):
        kept, blocked, third = self._make_ready_passages(3)
        # the same id for the CDC, typed behind the checks' back (an import, SQL):
        # only the deposit's pipeline, comparing all passages, sees it
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE accrochage_passage SET id_technique = %s WHERE id = %s",
            (f"{kept.id_technique} ", blocked.id),
        )
        blocked.invalidate_recordset(["id_technique"])
        deposit = self.env["accrochage.deposit"]._build_from_passages(kept | blocked | third)
        self.assertEqual(deposit.state, "generated", deposit.error_message)
        self.assertEqual(deposit.line_ids.passage_id, third)
        self.assertEqual(third.pending_deposit_id, deposit)
        self.assertFalse((kept | blocked).pending_deposit_id)
        self.assertEqual(set((kept | blocked).mapped("state")), {"incomplete"})
        self.assertIn("2 passage(s) set aside", " ".join(deposit.message_ids.mapped("body")))

    def test_a_passage_being_edited_gives_the_engine_the_same_facts_as_saved(self):
        """Saved passages are read as columns; one in a form through the ORM."""
        (passage,) = self._make_ready_passages(1)
        passage.write({"proof_url": "https://example.org/preuve/1", "scoring": "15/20"})
        saved = passage._to_engine()[passage]
        edited = self.env["accrochage.passage"].new(origin=passage)
        self.assertEqual(edited._to_engine()[edited], saved)
