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
        passage.with_context(accrochage_receipt=True).state = "accepted"
        with self.assertRaisesRegex(UserError, "ne doit jamais être renvoyé"):
            self._as_french_user(passage).write({"state": "ready"})
        empty = self._as_french_user(self.env["accrochage.passage"])
        with self.assertRaisesRegex(UserError, "Aucun passage sélectionné"):
            empty.action_build_deposit()
