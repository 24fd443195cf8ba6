import re

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import enum_selection, fact_help

CERTIFICATION_TYPES = [("RNCP", "RNCP"), ("RS", "RS")]
#: a France compétences code at the start of what the user typed: "RNCP35726 Paie"
TYPED_CODE = re.compile(r"\s*(RNCP|RS)\s*([0-9]+)\b[\s:—-]*(.*)", re.IGNORECASE | re.DOTALL)


def split_code(text):
    """``(type, code, rest)`` when ``text`` starts with a certification code."""
    match = TYPED_CODE.fullmatch(text or "")
    if not match:
        return None
    kind = match.group(1).upper()
    return kind, f"{kind}{match.group(2)}", match.group(3).strip()


class AccrochageCertification(models.Model):
    """A certification registered with France compétences (RNCP or RS)."""

    _name = "accrochage.certification"
    _description = "Certification (RNCP / RS)"
    _check_company_auto = True
    _inherit = ["mail.thread"]
    _order = "code"
    _rec_names_search = ["code", "name"]

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
        default=lambda self: self._default_certifier(),
    )
    user_id = fields.Many2one(
        "res.users",
        "Responsible",
        default=lambda self: self.env.user,
        help="Receives the reminders before the deposit deadline.",
    )
    bloc_ids = fields.One2many("accrochage.certification.bloc", "certification_id", "Skill blocks")
    partner_habilitation_ids = fields.One2many(
        "accrochage.partner.habilitation", "certification_id", "Partner habilitations"
    )
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

    @api.model
    def _default_certifier(self):
        """The company's certifier account, when it has exactly one."""
        certifiers = self.env["accrochage.certifier"].search(
            [("company_id", "in", (self.env.company.id, False))], limit=2
        )
        return certifiers if len(certifiers) == 1 else certifiers.browse()

    @api.model
    def default_get(self, fields_list):
        """ "Create and edit…" from a many2one: a typed code goes in the code field."""
        defaults = super().default_get(fields_list)
        parts = split_code(defaults.get("name")) if defaults.get("name") else None
        if parts:
            kind, code, rest = parts
            defaults.update(certification_type=kind, code=code, name=rest or False)
        return defaults

    @api.model
    def name_create(self, name):
        """Quick create from a formation: "RNCP35726 Gestionnaire de paie".

        The code and the title are read from the text; the certifier is the
        company's only certifier account. Otherwise the user is sent to the
        full form, with a message saying what is missing.
        """
        parts = split_code(name)
        certifier = self._default_certifier()
        if not certifier:
            raise UserError(
                self.env._(
                    "Several certifier accounts (or none) could hold this certification: "
                    "use “Create and edit…” and choose its certifier account there."
                )
            )
        if not parts:
            raise UserError(
                self.env._(
                    "Type the certification's code, then its title (e.g. “RNCP35726 "
                    "Payroll manager”), or use “Create and edit…” to fill in its form."
                )
            )
        kind, code, rest = parts
        certification = self.create(
            {
                "certification_type": kind,
                "code": code,
                "name": rest or code,
                "certifier_id": certifier.id,
            }
        )
        return certification.id, certification.display_name

    def _partner_header_facts(self):
        """The header facts the certifier adds to a partner's candidate (block 2 to 4)."""
        self.ensure_one()
        certifier = self.sudo().certifier_id
        return {
            "idClientEmetteur": self.sudo().company_id.accrochage_id_client
            or certifier.id_client
            or None,
            "idClientCertificateur": certifier.id_client or None,
            "idContrat": certifier.id_contrat or None,
            "natureDeposant": certifier.nature_deposant or None,
            "type": self.certification_type,
            "code": self.code,
        }

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
