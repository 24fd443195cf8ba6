from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import enum_selection, fact_help

#: CDC fact key -> res.partner field: the holder's identity (blocks 8 and 10)
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
    "codePaysNaissance": "accrochage_birth_country_code",
    "libellePaysNaissance": "accrochage_birth_country_name",
}
NIR_FIELD = "accrochage_nir"
MANAGER = "accrochage_certificateur.group_accrochage_manager"


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
    accrochage_birth_insee = fields.Char(
        "Birth place INSEE code", size=5, help=fact_help("codeInsee")
    )
    accrochage_birth_postcode = fields.Char("Birth place postcode", help=fact_help("codePostal"))
    accrochage_birth_city = fields.Char("Birth town", help=fact_help("libelleCommuneNaissance"))
    accrochage_birth_country_code = fields.Char(
        "Birth country code", size=3, help=fact_help("codePaysNaissance")
    )
    accrochage_birth_country_name = fields.Char(
        "Birth country", help=fact_help("libellePaysNaissance")
    )
    # Never tracked, never logged: readable and writable by managers only.
    accrochage_nir = fields.Char(
        "NIR",
        groups=MANAGER,
        copy=False,
        help="Social security number (numéro d'inscription au répertoire), 13 or 15 "
        "characters. Visible to certification managers only.",
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

    def _compute_accrochage_passage_count(self):
        counts = dict(
            self.env["accrochage.passage"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.accrochage_passage_count = counts.get(partner, 0)

    def _accrochage_identity(self):
        """CDC identity facts of each partner, read in one batch: {id: dict}."""
        records = self.sudo()
        fields_to_read = list(PARTNER_FACTS.values()) + [NIR_FIELD]
        records.fetch(fields_to_read)
        result = {}
        for partner in records:
            facts = {key: partner[name] or None for key, name in PARTNER_FACTS.items()}
            facts["nir"] = partner[NIR_FIELD] or None
            result[partner.id] = facts
        return result

    @api.constrains(NIR_FIELD)
    def _check_accrochage_nir(self):
        """The engine checks the NIR (format and key); refuse a wrong one at entry."""
        from accrochage.rules import check_passage

        identities = self._accrochage_identity()
        for partner in self:
            facts = identities[partner.id]
            if not facts["nir"]:
                continue
            findings = [
                finding
                for finding in check_passage(
                    facts, version="1.1.5", today=fields.Date.context_today(self)
                )
                if finding.field == "nir" and finding.blocking
            ]
            if findings:
                # the message names the field, never the number itself
                raise ValidationError(
                    self.env._(
                        "NIR of %(name)s: %(message)s",
                        name=partner.display_name,
                        message=findings[0].message,
                    )
                )

    def action_view_accrochage_passages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "accrochage_certificateur.accrochage_passage_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
