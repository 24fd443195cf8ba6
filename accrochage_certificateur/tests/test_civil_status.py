import datetime

from lxml import etree

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import AccrochageCase, nir_with_key


@tagged("post_install", "-at_install")
class TestCivilStatus(AccrochageCase):
    """The civil status is checked where it is typed, by the engine."""

    def setUp(self):
        super().setUp()
        self.holder = self.env["res.partner"].create(self._holder_vals(1))

    def test_impossible_values_refused_on_save(self):
        next_year = datetime.date.today().year + 1
        cases = {
            "accrochage_birth_month": (13, "#8.7"),
            "accrochage_birth_insee": ("ABCDE", "code INSEE"),
            "accrochage_birth_year": (next_year, "futur"),
            "accrochage_birth_postcode": ("1234567890", "code postal"),
        }
        for field, (value, expected) in cases.items():
            with self.subTest(field=field), self.assertRaises(ValidationError) as caught:
                with self.cr.savepoint():
                    self.holder.write(
                        {field: value, "accrochage_birth_insee": False}
                        if field == "accrochage_birth_postcode"
                        else {field: value}
                    )
            self.assertIn(expected, str(caught.exception))
            self.assertIn("Titulaire 1", str(caught.exception))
        with self.assertRaisesRegex(ValidationError, "#8.8"), self.cr.savepoint():
            self.holder.write({"accrochage_birth_month": 2, "accrochage_birth_day": 30})
        self.assertEqual(self.holder.accrochage_birth_month, 5)

    def test_wrong_nir_key_refused_whatever_the_schema(self):
        self.assertEqual(self.company.accrochage_schema_version, "1.1.2")
        good = nir_with_key("2900569123456")
        wrong = good[:-2] + f"{(int(good[-2:]) % 97) + 1:02d}"
        with self.assertRaises(ValidationError) as caught, self.cr.savepoint():
            self.holder.write({"accrochage_nir": wrong})
        self.assertIn("clé du NIR", str(caught.exception))
        self.assertNotIn(wrong, str(caught.exception))

    def test_odd_values_warned_on_the_form(self):
        passage = self._make_ready_passages(1)
        young = passage.partner_id
        young.write({"accrochage_birth_year": datetime.date.today().year - 10})
        self.assertIn("moins de 14 ans", young.accrochage_identity_warnings)
        self.assertFalse(young.accrochage_identity_errors)
        self.assertEqual(passage.state, "ready")  # a warning never blocks
        # before 1900: the XSD refuses it, but a person may be that old: a warning here,
        # and the passage says it cannot be sent as is
        young.write({"accrochage_birth_year": 1899})
        self.assertIn("antérieure à 1900", young.accrochage_identity_warnings)
        self.assertFalse(young.accrochage_identity_errors)

    def test_errors_shown_while_typing(self):
        with Form(self.holder) as form:
            form.accrochage_birth_month = 13
            self.assertIn("#8.7", form.accrochage_identity_errors)
            form.accrochage_birth_month = 6
            self.assertFalse(form.accrochage_identity_errors)

    def test_born_abroad_from_the_country(self):
        spain = self.env.ref("base.es")
        self.holder.write(
            {"accrochage_birth_country_id": spain.id, "accrochage_birth_city": "Madrid"}
        )
        self.assertTrue(self.holder.accrochage_birth_abroad)
        self.assertEqual(self.holder.accrochage_birth_country_code, "99134")
        facts = self.holder._accrochage_identity()[self.holder.id]
        self.assertEqual(facts["codeInsee"], "99134")  # #8.10, the typed town code set aside
        self.assertEqual(facts["codePaysNaissance"], "134")  # #8.13
        self.assertTrue(facts["libellePaysNaissance"])  # #8.14
        passage = self._make_ready_passages(1)
        passage.partner_id.write({"accrochage_birth_country_id": spain.id})
        self.assertEqual(passage.state, "ready", passage.issue)
        deposit = self.env["accrochage.deposit"]._create_from_passages(passage)
        deposit._generate()
        xml = etree.fromstring(deposit.file_ids.raw)
        ns = {"cpf": "urn:cdc:cpf:pc5:schema:1.0.0"}
        self.assertEqual(xml.findtext(".//cpf:codeInsee", namespaces=ns), "99134")
        self.assertEqual(xml.findtext(".//cpf:codePaysNaissance", namespaces=ns), "134")

    def test_born_in_france_or_overseas_keeps_the_town(self):
        for country in (self.env["res.country"], self.env.ref("base.fr"), self.env.ref("base.gp")):
            self.holder.accrochage_birth_country_id = country
            facts = self.holder._accrochage_identity()[self.holder.id]
            self.assertEqual(facts["codeInsee"], "69123", country.name)
            self.assertNotIn("codePaysNaissance", facts)

    def test_country_code_typed_as_a_town(self):
        with Form(self.holder) as form:
            form.accrochage_birth_insee = "99352"
            self.assertEqual(form.accrochage_birth_country_id, self.env.ref("base.dz"))
            self.assertFalse(form.accrochage_birth_insee)

    def test_codes_and_years_without_thousands_separator(self):
        arch = etree.fromstring(self.env["res.partner"].get_view(view_type="form")["arch"])
        for name in ("accrochage_birth_year", "accrochage_birth_month", "accrochage_birth_day"):
            node = arch.find(f".//field[@name='{name}']")
            self.assertIn("'enable_formatting': false", node.get("options").replace('"', "'"))

    def test_help_texts_say_what_the_cdc_expects(self):
        fields = self.env["res.partner"].fields_get(["accrochage_first_name1", "accrochage_sex"])
        self.assertIn("Obligatoire", fields["accrochage_first_name1"]["help"])
        self.assertIn("(dictionnaire CDC #8.3)", fields["accrochage_first_name1"]["help"])
        self.assertNotIn("CDC #8.3 prenom1.", fields["accrochage_first_name1"]["help"])
        self.assertIn("M, F", fields["accrochage_sex"]["help"])
