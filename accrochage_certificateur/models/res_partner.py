from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..batch import read_columns
from ..engine import DEFAULT_VERSION, check_identity, enum_selection, fact_help

#: CDC fact key -> res.partner field the user types: the holder's identity (block 8)
PARTNER_FACTS = {
    "nomNaissance": "accrochage_birth_name",
    "nomUsage": "accrochage_usage_name",
    "prenom1": "accrochage_first_name1",
    "prenom2": "accrochage_first_name2",
    "prenom3": "accrochage_first_name3",
    "anneeNaissance": "accrochage_birth_year",
    "moisNaissance": "accrochage_birth_month",
    "jourNaissance": "accrochage_birth_day",
    "sexe": "accrochage_sex",
    "codeInsee": "accrochage_birth_insee",
    "codePostal": "accrochage_birth_postcode",
    "libelleCommuneNaissance": "accrochage_birth_city",
}
NIR_FIELD = "accrochage_nir"
#: the birth country; l10n_fr_cog puts its INSEE code (99XXX) on res.country,
#: from which #8.10 (born abroad), #8.13 and #8.14 are derived
COUNTRY_FIELD = "accrochage_birth_country_id"
#: the fields the engine reads on a contact
IDENTITY_FIELDS = (*PARTNER_FACTS.values(), COUNTRY_FIELD, NIR_FIELD)
#: fact key -> the contact field where it is fixed (derived facts included)
FIX_FIELDS = {
    **PARTNER_FACTS,
    "codePaysNaissance": COUNTRY_FIELD,
    "libellePaysNaissance": COUNTRY_FIELD,
    "codeCommuneNaissance": "accrochage_birth_insee",
    "identificationTitulaire": "accrochage_birth_name",
    "titulaire": "accrochage_birth_name",
    "nomTitulaire": "accrochage_birth_name",
    "prenom1Titulaire": "accrochage_first_name1",
    "nir": NIR_FIELD,
}
MANAGER = "accrochage_certificateur.group_accrochage_manager"
#: res.country.fr_cog of France itself: never a birth country code
FRANCE_COG = 99100
#: no thousands separator for numbers that are codes or years
NO_FORMAT = {"enable_formatting": False}


def birth_abroad_cog(country):
    """The INSEE code (99XXX) of a foreign birth country, or None (France, overseas).

    French overseas departments and territories have no COG of their own in
    l10n_fr_cog: a holder born there has the INSEE code of a French commune.
    """
    cog = country.fr_cog if country and "fr_cog" in country._fields else 0
    if cog and 99000 < cog < 100000 and cog != FRANCE_COG:
        return str(cog)
    return None


class ResPartner(models.Model):
    _inherit = "res.partner"

    accrochage_birth_name = fields.Char("Birth name", help=fact_help("nomNaissance"))
    accrochage_usage_name = fields.Char("Usage name", help=fact_help("nomUsage"))
    accrochage_first_name1 = fields.Char("First name", help=fact_help("prenom1"))
    accrochage_first_name2 = fields.Char("Second first name", help=fact_help("prenom2"))
    accrochage_first_name3 = fields.Char("Third first name", help=fact_help("prenom3"))
    accrochage_sex = fields.Selection(enum_selection("sexe"), "Sex", help=fact_help("sexe"))
    accrochage_birth_year = fields.Integer("Birth year", help=fact_help("anneeNaissance"))
    accrochage_birth_month = fields.Integer("Birth month", help=fact_help("moisNaissance"))
    accrochage_birth_day = fields.Integer("Birth day", help=fact_help("jourNaissance"))
    accrochage_birth_date_display = fields.Char(
        "Birth date", compute="_compute_accrochage_birth_date_display"
    )
    accrochage_birth_country_id = fields.Many2one(
        "res.country",
        "Birth country",
        ondelete="restrict",
        help="Leave empty, or choose France, for a holder born in France (overseas "
        "included): the INSEE code of the birth town is then expected. Born abroad: "
        "the country's INSEE code (99XXX) and name are sent for you (CDC #8.10, "
        "#8.13, #8.14).",
    )
    accrochage_birth_abroad = fields.Boolean(
        "Born abroad", compute="_compute_accrochage_birth_country_code"
    )
    accrochage_birth_country_code = fields.Char(
        "Birth country INSEE code",
        compute="_compute_accrochage_birth_country_code",
        help=fact_help("codePaysNaissance"),
    )
    accrochage_birth_insee = fields.Char(
        "Birth town INSEE code", size=5, help=fact_help("codeInsee")
    )
    accrochage_birth_postcode = fields.Char("Birth town postcode", help=fact_help("codePostal"))
    accrochage_birth_city = fields.Char("Birth town", help=fact_help("libelleCommuneNaissance"))
    # Never tracked, never logged: readable and writable by managers only.
    accrochage_nir = fields.Char(
        "NIR",
        groups=MANAGER,
        copy=False,
        help="Social security number (numéro d'inscription au répertoire), 13 or 15 "
        "characters. Visible to certification managers only.",
    )
    accrochage_out_of_scope = fields.Boolean(
        "Out of the CDC's scope",
        copy=False,
        help="The Caisse des Dépôts cannot record this holder (general guide V5 §2.4: no "
        "NIR, e.g. some holders living abroad): their passages are never deposited and "
        "never counted as late. The reason is required.",
    )
    accrochage_out_of_scope_reason = fields.Char("Why out of scope", copy=False)

    _accrochage_out_of_scope_reason = models.Constraint(
        "CHECK(NOT COALESCE(accrochage_out_of_scope, FALSE) "
        "OR length(btrim(COALESCE(accrochage_out_of_scope_reason, ''))) > 0)",
        "Say why the holder is out of the Caisse des Dépôts' scope.",
    )
    accrochage_identity_errors = fields.Text(
        "Civil status errors", compute="_compute_accrochage_identity_check"
    )
    accrochage_identity_warnings = fields.Text(
        "Civil status warnings", compute="_compute_accrochage_identity_check"
    )
    accrochage_passage_ids = fields.One2many("accrochage.passage", "partner_id")
    accrochage_passage_count = fields.Integer(
        "Certification passages", compute="_compute_accrochage_passage_count"
    )

    @api.depends("accrochage_birth_year", "accrochage_birth_month", "accrochage_birth_day")
    def _compute_accrochage_birth_date_display(self):
        for partner in self:
            parts = [
                f"{value:02d}"
                for value in (partner.accrochage_birth_day, partner.accrochage_birth_month)
                if value
            ]
            if partner.accrochage_birth_year:
                parts.append(str(partner.accrochage_birth_year))
            partner.accrochage_birth_date_display = "/".join(parts) if parts else False

    @api.depends("accrochage_birth_country_id")
    def _compute_accrochage_birth_country_code(self):
        for partner in self:
            cog = birth_abroad_cog(partner.accrochage_birth_country_id)
            partner.accrochage_birth_abroad = bool(cog)
            partner.accrochage_birth_country_code = cog

    @api.depends(*IDENTITY_FIELDS[:-1])
    def _compute_accrochage_identity_check(self):
        """What the engine says of the civil status, live while it is typed."""
        problems = self._accrochage_identity_problems()
        for partner in self:
            errors, warnings = problems[partner.id]
            partner.accrochage_identity_errors = "\n".join(message for _key, message in errors)
            partner.accrochage_identity_warnings = "\n".join(message for _key, message in warnings)

    def _compute_accrochage_passage_count(self):
        counts = dict(
            self.env["accrochage.passage"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.accrochage_passage_count = counts.get(partner, 0)

    @api.onchange("accrochage_birth_insee")
    def _onchange_accrochage_birth_insee(self):
        """A country's INSEE code (99XXX) typed as a town: choose the country instead."""
        for partner in self:
            country = partner._accrochage_country_of(partner.accrochage_birth_insee)
            if country:
                partner.accrochage_birth_country_id = country
                partner.accrochage_birth_insee = False

    # ------------------------------------------------------------------
    # engine mapping
    # ------------------------------------------------------------------
    @api.model
    def _accrochage_country_of(self, code):
        """The country whose INSEE code is ``99XXX`` or its last three digits ``XXX``."""
        code = (code or "").strip()
        if len(code) == 3 and code.isdigit():
            code = "99" + code
        if not (len(code) == 5 and code.startswith("99") and code.isdigit()):
            return self.env["res.country"]
        if int(code) == FRANCE_COG:
            return self.env["res.country"]
        return self.env["res.country"].search([("fr_cog", "=", int(code))], limit=1)

    def _accrochage_birth_country_facts(self):
        """#8.10, #8.13 and #8.14 for a holder born abroad; nothing for France."""
        self.ensure_one()
        return self._accrochage_country_facts(self.accrochage_birth_country_id)

    def _accrochage_country_facts(self, country):
        """#8.10, #8.13 and #8.14 of a birth country; nothing for France."""
        cog = birth_abroad_cog(country)
        if not cog:
            return {}
        french = self.env["res.lang"]._lang_get("fr_FR")
        name = country.with_context(lang="fr_FR").name if french else country.name
        return {"codeInsee": cog, "codePaysNaissance": cog[2:], "libellePaysNaissance": name}

    def _accrochage_identity(self):
        """CDC identity facts of each partner, read in one batch: {id: dict}."""
        records = self.sudo()
        read = read_columns(records, [*PARTNER_FACTS.values(), NIR_FIELD, COUNTRY_FIELD])
        Country = self.env["res.country"]
        abroad = {
            country_id: records._accrochage_country_facts(Country.browse(country_id))
            for country_id in set(read[COUNTRY_FIELD]) - {None}
        }
        result = {}
        for index, partner in enumerate(records):
            facts = {key: read[name][index] or None for key, name in PARTNER_FACTS.items()}
            facts.update(abroad.get(read[COUNTRY_FIELD][index], {}))
            facts["nir"] = read[NIR_FIELD][index] or None
            result[partner.id] = facts
        return result

    def _accrochage_identity_problems(self):
        """The engine's ``(errors, warnings)`` on each contact's civil status: {id: pair}.

        A record being typed in a form (not saved yet, or edited) is read from
        the form's values; a saved one from the database, in one batch.
        """
        today = fields.Date.context_today(self)
        version = self.env.company.accrochage_schema_version or DEFAULT_VERSION
        saved = self.filtered("id")
        identities = saved._accrochage_identity()
        awards = dict(
            self.env["accrochage.passage"]
            .sudo()
            ._read_group(
                [("partner_id", "in", self._origin.ids)], ["partner_id"], ["award_date:max"]
            )
        )
        result = {}
        for partner in self:
            facts = identities[partner.id] if partner.id else partner._accrochage_new_facts()
            award = awards.get(partner._origin) or today
            result[partner.id] = check_identity(
                facts, today=today, award_date=award, version=version
            )
        return result

    def _accrochage_new_facts(self):
        """Identity facts of a record being typed in a form."""
        facts = {key: self[name] or None for key, name in PARTNER_FACTS.items()}
        facts.update(self._accrochage_birth_country_facts())
        if self.env.user.has_group(MANAGER):
            facts["nir"] = self[NIR_FIELD] or None
        return facts

    @api.constrains(*IDENTITY_FIELDS)
    def _check_accrochage_identity(self):
        """Refuse impossible civil status at entry, with the engine's French message.

        The message names the field, never the value: it may be a NIR.
        """
        if self.env.context.get("accrochage_migration"):
            return  # data typed before these checks: the passages show it
        problems = self._accrochage_identity_problems()
        for partner in self:
            errors, _warnings = problems[partner.id]
            if errors:
                raise ValidationError(
                    self.env._(
                        "Civil status of %(name)s: %(message)s",
                        name=partner.display_name,
                        message="\n".join(message for _key, message in errors),
                    )
                )

    @api.model
    def _accrochage_vals_from_facts(self, facts):
        """Contact values from engine identity facts (an imported row, say).

        A birthplace ``99XXX`` becomes the birth country; the country code and
        name, derived from it, are never stored apart.
        """
        vals = {
            name: facts.get(key)
            for key, name in PARTNER_FACTS.items()
            if facts.get(key) not in (None, "")
        }
        country = self._accrochage_country_of(facts.get("codeInsee")) or (
            self._accrochage_country_of(facts.get("codePaysNaissance"))
        )
        if country:
            vals[COUNTRY_FIELD] = country.id
            vals.pop(PARTNER_FACTS["codeInsee"], None)
        return vals

    @api.model
    def _accrochage_migrate_birth_countries(self, legacy_column=None):
        """Birth countries typed as codes become countries (migration 19.0.1.1.0).

        ``legacy_column``: the former ``accrochage_birth_country_code`` column
        (3 digits), still in the table after the upgrade; a 99XXX birthplace
        typed as a town code is read too. Returns the number of contacts moved.
        """
        cr = self.env.cr
        rows = []
        if legacy_column:
            cr.execute(
                SQL(
                    "SELECT id, %s FROM res_partner WHERE %s IS NOT NULL "
                    "AND accrochage_birth_country_id IS NULL",
                    SQL.identifier(legacy_column),
                    SQL.identifier(legacy_column),
                )
            )
            rows += cr.fetchall()
        cr.execute(
            SQL(
                "SELECT id, accrochage_birth_insee FROM res_partner "
                "WHERE accrochage_birth_insee LIKE %s AND accrochage_birth_country_id IS NULL",
                "99%",
            )
        )
        rows += cr.fetchall()
        moved = 0
        for partner_id, code in rows:
            country = self._accrochage_country_of(code)
            partner = self.browse(partner_id)
            if not country or partner.accrochage_birth_country_id:
                continue
            vals = {COUNTRY_FIELD: country.id}
            if (partner.accrochage_birth_insee or "").startswith("99"):
                vals["accrochage_birth_insee"] = False
            # a contact the new checks refuse keeps its country anyway: the
            # passage shows what to fix
            partner.with_context(accrochage_migration=True).write(vals)
            moved += 1
        return moved

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_view_accrochage_passages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "accrochage_certificateur.accrochage_passage_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def _accrochage_action_open(self, field=None):
        """Open this contact's form on its Certification tab, on ``field``."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.display_name,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"accrochage_focus_field": field or "accrochage_birth_name"},
        }
