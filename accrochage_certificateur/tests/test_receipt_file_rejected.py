import base64

from odoo.tests import tagged

from .common import AccrochageCase

#: error guide V4 §2.7 (table p.4-5): the message an accusé de traitement
#: gives for a required element left out, as the CDC's XSD control writes it
MISSING = (
    "cvc-complex-type.2.4.b : Le contenu de l'élément 'cpf:passageCertification' n'est pas "
    "complet. L'un des éléments '{\"urn:cdc:cpf:pc5:schema:1.0.0\":obtentionCertification}' "
    "est attendu."
)


def rejected_file_receipt(id_flux, errors):
    """The accusé de traitement of a file the XSD control stopped (general
    guide V5 §4.4.1, error guide V4 introduction): file errors, no passages."""
    body = "".join(
        f"<erreur><type>XSD</type><message>{message}</message>"
        f"<ligne>{line}</ligne><colonne>{column}</colonne></erreur>"
        for message, line, column in errors
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<rapport xmlns:ns2="urn:cdc:cpf:pc5:rapport:schema">'
        f"<nomFichier>depot.xml</nomFichier><idFlux>{id_flux}</idFlux>"
        f"<idTraitement>4243</idTraitement><erreurs>{body}</erreurs></rapport>"
    ).encode()


@tagged("post_install", "-at_install")
class TestReceiptFileRejected(AccrochageCase):
    """General guide V5 §4.4.1: a file the XSD control stops is rejected as a
    whole; nothing of it is recorded, so every passage of it is rejected."""

    def test_general_guide_4_4_1_every_passage_of_a_rejected_file_is_rejected(self):
        passages = self._make_ready_passages(3)
        deposit = self.env["accrochage.deposit"].browse(
            passages.with_user(self.user_certif).action_build_deposit()["res_id"]
        )
        self.assertEqual(deposit.state, "generated", deposit.error_message)
        deposit.with_user(self.user_certif).action_mark_sent()
        receipt = rejected_file_receipt(deposit.id_flux, [(MISSING, 14, 32)])
        self.env["accrochage.receipt.import"].with_user(self.user_certif).create(
            {"file": base64.b64encode(receipt)}
        ).action_import()

        self.assertEqual(deposit.state, "processed")
        self.assertEqual((deposit.accepted_count, deposit.rejected_count), (0, 3))
        self.assertEqual(set(passages.mapped("state")), {"rejected"})
        self.assertFalse(passages.pending_deposit_id)
        for passage in passages:
            self.assertIn("cvc-complex-type.2.4.b", passage.cdc_message)
        self.assertEqual(set(deposit.line_ids.mapped("result")), {"ko"})
        self.assertIn("cvc-complex-type.2.4.b", deposit.error_message)
        self.assertEqual(len(deposit.receipt_ids), 1)
        self.assertIn("cvc-complex-type.2.4.b", deposit.message_ids[0].body)
