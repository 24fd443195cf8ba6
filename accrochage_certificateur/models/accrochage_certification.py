from odoo import api, fields, models

from ..engine import enum_selection, fact_help

CERTIFICATION_TYPES = [("RNCP", "RNCP"), ("RS", "RS")]


class AccrochageCertification(models.Model):
    """A certification registered with France compétences (RNCP or RS)."""

    _name = "accrochage.certification"
    _description = "Certification (RNCP / RS)"
    _check_company_auto = True
    _inherit = ["mail.thread"]
    _order = "code"

    name = fields.Char("Title", required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    certification_type = fields.Selection(
        CERTIFICATION_TYPES,
        "Type",
        required=True,
        default="RNCP",
        tracking=True,
        help=fact_help("type"),
    )
    code = fields.Char(required=True, tracking=True, help=fact_help("code"))
    level = fields.Selection(
        [(str(level), str(level)) for level in range(1, 9)],
        "Qualification level",
        help="Level in the national qualifications framework (1 to 8), for the RNCP.",
    )
    certifier_id = fields.Many2one(
        "accrochage.certifier",
        required=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    user_id = fields.Many2one(
        "res.users",
        "Responsible",
        default=lambda self: self.env.user,
        help="Receives the reminders before the deposit deadline.",
    )
    bloc_ids = fields.One2many("accrochage.certification.bloc", "certification_id", "Skill blocks")
    competence_framework = fields.Html("Skills framework")
    evaluation_methods = fields.Html("Assessment methods")
    obtention_mode = fields.Selection(
        enum_selection("obtentionCertification"),
        "Default obtention mode",
        required=True,
        default="PAR_ADMISSION",
        help=fact_help("obtentionCertification"),
    )
    option_label = fields.Char("Option", help=fact_help("libelleOption"))
    validity_months = fields.Integer(
        "Validity (months)",
        help="Leave 0 when the certification does not expire.",
    )
    date_start = fields.Date("Active from")
    date_end = fields.Date("Active until")
    language_level = fields.Boolean(
        "European language level (CECRL)", help=fact_help("presenceNiveauLangueEuro")
    )
    digital_level = fields.Boolean(
        "European digital level (DigComp)",
        help=fact_help("presenceNiveauNumeriqueEuro"),
    )
    passage_ids = fields.One2many("accrochage.passage", "certification_id")
    passage_count = fields.Integer(compute="_compute_passage_count")

    _code_company_uniq = models.Constraint(
        "UNIQUE(company_id, code)",
        "A certification with this code already exists in this company.",
    )

    @api.depends("code", "name")
    def _compute_display_name(self):
        for certification in self:
            certification.display_name = (
                f"{certification.code} — {certification.name}"
                if certification.code
                else certification.name
            )

    def _compute_passage_count(self):
        counts = dict(
            self.env["accrochage.passage"]._read_group(
                [("certification_id", "in", self.ids)], ["certification_id"], ["__count"]
            )
        )
        for certification in self:
            certification.passage_count = counts.get(certification, 0)

    def action_view_passages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "accrochage_certificateur.accrochage_passage_action"
        )
        action["domain"] = [("certification_id", "=", self.id)]
        action["context"] = {"default_certification_id": self.id}
        return action


class AccrochageCertificationBloc(models.Model):
    """A bloc de compétences of a certification."""

    _name = "accrochage.certification.bloc"
    _description = "Skill block"
    _order = "certification_id, sequence, code"

    sequence = fields.Integer(default=10)
    certification_id = fields.Many2one(
        "accrochage.certification", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="certification_id.company_id", store=True, index=True)
    code = fields.Char(required=True)
    name = fields.Char("Title", required=True)

    @api.depends("code", "name")
    def _compute_display_name(self):
        for bloc in self:
            bloc.display_name = f"{bloc.code} — {bloc.name}" if bloc.code else bloc.name
