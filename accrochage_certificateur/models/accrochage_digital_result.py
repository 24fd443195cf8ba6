from odoo import api, fields, models

from ..engine import fact_help


class AccrochageDigitalResult(models.Model):
    """One DigComp result (domain, competence, level) of an attendee or passage."""

    _name = "accrochage.digital.result"
    _description = "European digital level result (DigComp)"
    _order = "domain_id, competence_id"

    registration_id = fields.Many2one(
        "event.registration", ondelete="cascade", index="btree_not_null"
    )
    passage_id = fields.Many2one("accrochage.passage", ondelete="cascade", index="btree_not_null")
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True, index=True
    )
    domain_id = fields.Char(size=1, help=fact_help("domaineCompetenceId"))
    competence_id = fields.Char(size=1, help=fact_help("competenceId"))
    level = fields.Integer(help=fact_help("niveau"))

    @api.depends("registration_id.company_id", "passage_id.company_id")
    def _compute_company_id(self):
        for result in self:
            result.company_id = result.passage_id.company_id or result.registration_id.company_id

    def _to_engine(self):
        return [
            {
                "niveau": result.level or None,
                "domaineCompetenceId": result.domain_id or None,
                "competenceId": result.competence_id or None,
            }
            for result in self
        ]
