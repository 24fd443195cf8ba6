from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import AccrochageCase, nir_with_key


@tagged("post_install", "-at_install")
class TestAccess(AccrochageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.holder = cls.env["res.partner"].create(
            cls._holder_vals(1, accrochage_sex="M", accrochage_nir=nir_with_key("1900569123456"))
        )
        cls.passage = cls._make_ready_passages(1)
        cls.other_company = cls.env["res.company"].create({"name": "Autre organisme"})
        cls.user_other = new_test_user(
            cls.env,
            login="accrochage_other",
            groups="accrochage_certificateur.group_accrochage_manager",
            company_id=cls.other_company.id,
            company_ids=[(6, 0, cls.other_company.ids)],
        )

    def test_nir_manager_only(self):
        holder = self.holder.with_user(self.user_certif)
        with self.assertRaises(AccessError):
            holder.read(["accrochage_nir"])
        with self.assertRaises(AccessError):
            holder.write({"accrochage_nir": nir_with_key("1900569123457")})
        self.assertNotIn("accrochage_nir", holder.fields_get())
        manager_view = self.holder.with_user(self.user_manager)
        self.assertEqual(manager_view.accrochage_nir, nir_with_key("1900569123456"))
        # the user still builds passages: the engine reads the NIR in sudo
        self.assertEqual(
            self.passage.with_user(self.user_certif).partner_id._accrochage_identity()[
                self.passage.partner_id.id
            ]["nir"],
            None,
        )

    def test_nir_never_in_chatter(self):
        self.holder.with_user(self.user_manager).write(
            {"accrochage_nir": nir_with_key("2900569123456"), "accrochage_sex": "F"}
        )
        nir = nir_with_key("2900569123456")
        bodies = " ".join(str(body) for body in self.holder.message_ids.mapped("body"))
        tracked = self.env["mail.tracking.value"].search(
            [("mail_message_id", "in", self.holder.message_ids.ids)]
        )
        self.assertNotIn(nir, bodies)
        self.assertNotIn(nir, " ".join(str(v) for v in tracked.mapped("old_value_char")))
        self.assertNotIn(nir, " ".join(str(v) for v in tracked.mapped("new_value_char")))

    def test_other_company_sees_nothing(self):
        Passage = self.env["accrochage.passage"].with_user(self.user_other)
        self.assertFalse(Passage.search([]))
        self.assertFalse(self.env["accrochage.certification"].with_user(self.user_other).search([]))
        self.assertFalse(self.env["accrochage.certifier"].with_user(self.user_other).search([]))
        with self.assertRaises(AccessError):
            self.passage.with_user(self.user_other).read(["id_technique"])

    def test_portal_sees_nothing(self):
        for model in (
            "accrochage.passage",
            "accrochage.deposit",
            "accrochage.certification",
            "accrochage.certifier",
            "accrochage.deposit.line",
        ):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.user_portal).search([])

    def test_user_rights(self):
        """A user reads certifications but only a manager changes them."""
        self.assertTrue(self.env["accrochage.certification"].with_user(self.user_certif).search([]))
        with self.assertRaises(AccessError):
            self.certification.with_user(self.user_certif).write({"name": "Autre"})
        self.certification.with_user(self.user_manager).write({"name": "Autre"})
