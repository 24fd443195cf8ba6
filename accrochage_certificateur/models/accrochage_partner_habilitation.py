from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

HABILITATIONS = [
    ("prepare", "Prepare"),
    ("assess", "Assess"),
    ("both", "Prepare and assess"),
]
HABILITATION_STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("suspended", "Suspended"),
    ("ended", "Ended"),
]


class AccrochagePartnerHabilitation(models.Model):
    """What a partner organisation may do for one certification, and when."""

    _name = "accrochage.partner.habilitation"
    _description = "Partner habilitation"
    _check_company_auto = True
    _order = "organisation_id, certification_id"

    organisation_id = fields.Many2one(
        "accrochage.partner.organisation",
        "Partner organisation",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(related="organisation_id.company_id", store=True, index=True)
    certification_id = fields.Many2one(
        "accrochage.certification",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    habilitation = fields.Selection(
        HABILITATIONS,
        required=True,
        default="both",
        help="Prepare: the partner trains the candidates; assess: it runs the "
        "assessment; both: sub-contracted certification (co-délivrance).",
    )
    date_start = fields.Date("From", required=True, default=fields.Date.context_today)
    date_end = fields.Date("Until", help="Empty: until further notice.")
    state = fields.Selection(HABILITATION_STATES, required=True, default="draft", index=True)
    is_current = fields.Boolean(
        "In force",
        compute="_compute_is_current",
        search="_search_is_current",
        help="Active, and today within its dates: the partner may push candidates.",
    )

    _organisation_certification_uniq = models.Constraint(
        "UNIQUE(organisation_id, certification_id)",
        "A partner organisation has one habilitation per certification.",
    )
    _dates = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)",
        "A habilitation cannot end before it starts.",
    )

    @api.depends("organisation_id.name", "certification_id.code", "habilitation")
    def _compute_display_name(self):
        labels = dict(self._fields["habilitation"]._description_selection(self.env))
        for record in self:
            record.display_name = " — ".join(
                filter(
                    None,
                    (
                        record.organisation_id.name,
                        record.certification_id.code,
                        labels.get(record.habilitation),
                    ),
                )
            )

    @api.model
    def _current_domain(self, today=None):
        today = today or fields.Date.context_today(self)
        return (
            Domain("state", "=", "active")
            & Domain("date_start", "<=", today)
            & (Domain("date_end", "=", False) | Domain("date_end", ">=", today))
        )

    @api.depends("state", "date_start", "date_end")
    @api.depends_context("date")
    def _compute_is_current(self):
        today = fields.Date.context_today(self)
        for record in self:
            record.is_current = (
                record.state == "active"
                and record.date_start
                and record.date_start <= today
                and (not record.date_end or record.date_end >= today)
            )

    def _search_is_current(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Search habilitations in force with = or !=."))
        current = self._current_domain()
        return current if (operator == "=") == value else ~current

    def action_activate(self):
        self.write({"state": "active"})

    def action_suspend(self):
        self.write({"state": "suspended"})

    def action_end(self):
        self.write({"state": "ended", "date_end": fields.Date.context_today(self)})
