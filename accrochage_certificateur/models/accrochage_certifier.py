from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import enum_selection, fact_help, get_schema


class AccrochageCertifier(models.Model):
    """A certifier's account at the Caisse des Dépôts (idClient, idContrat)."""

    _name = "accrochage.certifier"
    _description = "Certifier (CDC account)"
    _inherit = ["mail.thread"]
    _order = "name"

    name = fields.Char(related="partner_id.name", store=True)
    partner_id = fields.Many2one("res.partner", "Organisation", required=True, ondelete="restrict")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    id_client = fields.Char(
        "CDC client id (BCR)",
        required=True,
        size=8,
        tracking=True,
        help=fact_help("idClientCertificateur"),
    )
    id_contrat = fields.Char(
        "CDC contract number", required=True, tracking=True, help=fact_help("idContrat")
    )
    nature_deposant = fields.Selection(
        enum_selection("natureDeposant"),
        "Depositor nature",
        required=True,
        default="CERTIFICATEUR",
        help=fact_help("natureDeposant"),
    )
    certification_ids = fields.One2many("accrochage.certification", "certifier_id")

    @api.constrains("id_client", "id_contrat")
    def _check_cdc_ids(self):
        """The lengths come from the dictionary: a wrong id is refused at entry."""
        schema = get_schema()
        for certifier in self:
            for key, value in (
                ("idClientCertificateur", certifier.id_client),
                ("idContrat", certifier.id_contrat),
            ):
                node = schema.by_key[key]
                facet = node.value
                if not value:
                    continue
                if (facet.length and len(value) != facet.length) or (
                    facet.max_length and len(value) > facet.max_length
                ):
                    raise ValidationError(
                        self.env._(
                            "%(label)s: “%(value)s” is not valid; expected: %(rule)s.",
                            label=node.label,
                            value=value,
                            rule=facet.describe(),
                        )
                    )
