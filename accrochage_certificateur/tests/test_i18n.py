from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AccrochageCase


@tagged("post_install", "-at_install")
class TestFrench(AccrochageCase):
    """A French-speaking user reads the screens and the errors in French (i18n/fr.po)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["accrochage_certificateur"], ["fr_FR"], overwrite=True
        )
        cls.user_certif.lang = "fr_FR"

    def test_labels_in_french(self):
        fields = (
            self.env["accrochage.passage"]
            .with_context(lang="fr_FR")
            .fields_get(["award_date", "deadline", "state"], ["string", "selection"])
        )
        self.assertEqual(fields["award_date"]["string"], "Date de délivrance")
        self.assertEqual(fields["deadline"]["string"], "Échéance")
        self.assertIn(("rejected", "Rejeté"), [tuple(s) for s in fields["state"]["selection"]])
        menu = self.env.ref("accrochage_certificateur.menu_accrochage_passage_fix")
        self.assertEqual(menu.with_context(lang="fr_FR").name, "À corriger")

    def _as_french_user(self, records):
        # the web client puts the user's language in the context of every call
        return records.with_user(self.user_certif).with_context(lang=self.user_certif.lang)

    def test_user_error_in_french(self):
        passage = self._make_ready_passages(1)
        passage.state = "accepted"
        with self.assertRaisesRegex(UserError, "ne doit jamais être renvoyé"):
            self._as_french_user(passage).write({"state": "ready"})
        empty = self._as_french_user(self.env["accrochage.passage"])
        with self.assertRaisesRegex(UserError, "Aucun passage sélectionné"):
            empty.action_build_deposit()

    def test_hints_in_the_readers_language(self):
        """Hints are computed when read: never the English stored at install."""
        passage = self._make_ready_passages(1)
        passage.partner_id.accrochage_sex = False
        french = self._as_french_user(passage)
        self.assertIn("Sexe (#8.9) : sur le titulaire", french.issue_hint)
        self.assertNotIn("Fix the", french.issue_hint)
        self.assertIn("Sex (#8.9): on the holder", passage.with_context(lang="en_US").issue_hint)
        demo = self.env.ref("accrochage_certificateur.demo_passage_lucas", raise_if_not_found=False)
        if demo:  # a demo record, made at install in English
            self.assertIn("sur le titulaire « Lucas Petit »", self._as_french_user(demo).issue_hint)

    def test_deposit_line_says_new_in_french(self):
        passages = self._make_ready_passages(1)
        deposit = self.env["accrochage.deposit"]._create_from_passages(passages)
        self.assertEqual(self._as_french_user(deposit.line_ids).passage_kind, "Nouveau")

    def test_after_the_cdc_in_french(self):
        menu = self.env.ref("accrochage_certificateur.menu_accrochage_correction_request")
        self.assertEqual(menu.with_context(lang="fr_FR").name, "Demandes de correction")
        fields = (
            self.env["accrochage.passage"]
            .with_context(lang="fr_FR")
            .fields_get(["changed_since_sent", "state"], ["string", "selection"])
        )
        self.assertEqual(fields["changed_since_sent"]["string"], "Modifié depuis l'envoi")
        self.assertIn(("out_of_scope", "Hors périmètre"), fields["state"]["selection"])
        self.assertIn(("withdrawn", "Retiré"), fields["state"]["selection"])
        states = dict(
            self.env["accrochage.deposit"]
            .with_context(lang="fr_FR")
            .fields_get(["state"], ["selection"])["state"]["selection"]
        )
        self.assertEqual(
            (states["send_error"], states["send_failed"]), ("Envoi interrompu", "Envoi refusé")
        )
        request = self._as_french_user(
            self.env["accrochage.correction.request"].create({"source": "holder"})
        )
        with self.assertRaisesRegex(UserError, "Motif du rejet"):
            request.action_mark_unfounded()
