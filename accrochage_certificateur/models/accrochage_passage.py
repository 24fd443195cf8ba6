import json
import uuid

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import enum_selection, fact_help
from .res_partner import PARTNER_FACTS

STATES = [
    ("incomplete", "Incomplete"),
    ("ready", "Ready"),
    ("exported", "Exported"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
]
#: states a passage can be put in a deposit from
DEPOSITABLE = "ready"

#: CDC fact key -> accrochage.passage field (the facts of one award)
PASSAGE_FACTS = {
    "idTechnique": "id_technique",
    "urlPreuve": "proof_url",
    "libelleOption": "option_label",
    "obtentionCertification": "obtention_mode",
    "donneeCertifiee": "result_final",
    "dateDebutExamen": "exam_date_start",
    "dateFinExamen": "exam_date_end",
    "modalitePassageExamen": "exam_mode",
    "codePostalCentreExamen": "exam_postcode",
    "dateDebutValidite": "award_date",
    "dateFinValidite": "validity_end",
    "niveauLangueEuropeen": "cecrl_level",
    "scoreGeneral": "digital_score",
    "scoring": "scoring",
    "mentionValidee": "mention",
    "modaliteAcces": "access_mode",
    "voieAccessVAE": "vae_route",
    "initiativeInscription": "initiative",
    "dateInscription": "enrolment_date",
    "idDossier": "cpf_file",
}
#: passage field -> event.registration field it is copied from
FROM_REGISTRATION = {
    "mention": "accrochage_mention",
    "scoring": "accrochage_scoring",
    "award_date": "accrochage_award_date",
    "validity_end": "accrochage_validity_end",
    "access_mode": "accrochage_access_mode",
    "vae_route": "accrochage_vae_route",
    "initiative": "accrochage_initiative",
    "enrolment_date": "accrochage_enrolment_date",
    "cecrl_level": "accrochage_cecrl_level",
    "digital_score": "accrochage_digital_score",
    "cpf_file": "accrochage_cpf_file",
}
#: passage field -> event.event field it is copied from
FROM_SESSION = {
    "exam_date_start": "accrochage_exam_date_start",
    "exam_date_end": "accrochage_exam_date_end",
    "exam_mode": "accrochage_exam_mode",
    "exam_postcode": "accrochage_exam_postcode",
}
#: header facts and where they are fixed
CERTIFICATION_FACTS = ("type", "code", "natureDeposant")
CERTIFIER_FACTS = ("idClientEmetteur", "idClientCertificateur", "idContrat")
FINDING_FIELDS = (
    "findings_json",
    "has_blocking",
    "blocking_count",
    "warning_count",
)


def _new_id_technique(_records=None):
    return str(uuid.uuid4())


class AccrochagePassage(models.Model):
    """One certification awarded to one holder: one passage of the CDC flux."""

    _name = "accrochage.passage"
    _description = "Certification passage"
    _check_company_auto = True
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "deadline, id desc"

    id_technique = fields.Char(
        "Technical id",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=_new_id_technique,
        help=fact_help("idTechnique"),
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    state = fields.Selection(
        STATES,
        compute="_compute_state",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        copy=False,
    )
    partner_id = fields.Many2one(
        "res.partner", "Holder", required=True, index=True, ondelete="restrict"
    )
    certification_id = fields.Many2one(
        "accrochage.certification",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    certifier_id = fields.Many2one(related="certification_id.certifier_id", store=True, index=True)
    registration_id = fields.Many2one(
        "event.registration", "Attendee", index="btree_not_null", ondelete="set null"
    )
    event_id = fields.Many2one(
        "event.event",
        "Session",
        compute="_compute_event_id",
        store=True,
        readonly=False,
        index="btree_not_null",
    )
    admitted = fields.Boolean(
        compute="_compute_admitted",
        help="Only admitted candidates are declared to the CDC.",
    )

    # the facts of the award; copied from the attendee and the session when
    # there is one (stored, editable computes), typed in otherwise
    proof_url = fields.Char("Proof URL", help=fact_help("urlPreuve"))
    option_label = fields.Char(
        "Option",
        compute="_compute_from_certification",
        store=True,
        readonly=False,
        help=fact_help("libelleOption"),
    )
    obtention_mode = fields.Selection(
        enum_selection("obtentionCertification"),
        "Obtention mode",
        compute="_compute_from_certification",
        store=True,
        readonly=False,
        help=fact_help("obtentionCertification"),
    )
    result_final = fields.Boolean("Final result", default=True, help=fact_help("donneeCertifiee"))
    exam_date_start = fields.Date(
        "Exam start",
        compute="_compute_from_session",
        store=True,
        readonly=False,
        help=fact_help("dateDebutExamen"),
    )
    exam_date_end = fields.Date(
        "Exam end",
        compute="_compute_from_session",
        store=True,
        readonly=False,
        help=fact_help("dateFinExamen"),
    )
    exam_mode = fields.Selection(
        enum_selection("modalitePassageExamen"),
        "Exam mode",
        compute="_compute_from_session",
        store=True,
        readonly=False,
        help=fact_help("modalitePassageExamen"),
    )
    exam_postcode = fields.Char(
        "Exam centre postcode",
        compute="_compute_from_session",
        store=True,
        readonly=False,
        help=fact_help("codePostalCentreExamen"),
    )
    award_date = fields.Date(
        "Award date",
        compute="_compute_from_registration",
        store=True,
        readonly=False,
        index=True,
        help=fact_help("dateDebutValidite"),
    )
    validity_end = fields.Date(
        "Validity end",
        compute="_compute_from_registration",
        store=True,
        readonly=False,
        help=fact_help("dateFinValidite"),
    )
    cecrl_level = fields.Selection(
        enum_selection("niveauLangueEuropeen"),
        "Language level (CECRL)",
        compute="_compute_from_registration",
        store=True,
        readonly=False,
        help=fact_help("niveauLangueEuropeen"),
    )
    digital_score = fields.Integer(
        "Digital score (DigComp)",
        compute="_compute_from_registration",
        store=True,
        readonly=False,
        help=fact_help("scoreGeneral"),
    )
    digital_result_ids = fields.One2many(
        "accrochage.digital.result", "passage_id", "Digital levels (DigComp)"
    )
    scoring = fields.Char(
        "Score",
        compute="_compute_from_registration",
        store=True,
        readonly=False,
        help=fact_help("scoring"),
    )
    mention = fields.Selection(
        enum_selection("mentionValidee"),
        "Distinction",
        compute="_compute_from_registration",
        store=True,
        readonly=False,
        help=fact_help("mentionValidee"),
    )
    access_mode = fields.Selection(
        enum_selection("modaliteAcces"),
        "Access mode",
        compute="_compute_from_registration",
        store=True,
        readonly=False,
        help=fact_help("modaliteAcces"),
    )
    vae_route = fields.Selection(
        enum_selection("voieAccessVAE"),
        "VAE route",
        compute="_compute_from_registration",
        store=True,
        readonly=False,
        help=fact_help("voieAccessVAE"),
    )
    initiative = fields.Selection(
        enum_selection("initiativeInscription"),
        "Enrolment initiative",
        compute="_compute_from_registration",
        store=True,
        readonly=False,
        help=fact_help("initiativeInscription"),
    )
    enrolment_date = fields.Date(
        "Enrolment date",
        compute="_compute_from_registration",
        store=True,
        readonly=False,
        help=fact_help("dateInscription"),
    )
    cpf_file = fields.Char(
        "CPF file number",
        compute="_compute_from_registration",
        store=True,
        readonly=False,
        help=fact_help("idDossier"),
    )
    bloc_ids = fields.Many2many(
        "accrochage.certification.bloc",
        "accrochage_passage_bloc_rel",
        "passage_id",
        "bloc_id",
        "Skill blocks obtained",
        compute="_compute_bloc_ids",
        store=True,
        readonly=False,
    )

    # pre-send check (engine rules)
    findings_json = fields.Text(
        "Findings (JSON)", compute="_compute_findings", store=True, copy=False
    )
    has_blocking = fields.Boolean(
        "Blocked", compute="_compute_findings", store=True, index=True, copy=False
    )
    blocking_count = fields.Integer(
        "Blocking issues", compute="_compute_findings", store=True, copy=False
    )
    warning_count = fields.Integer("Warnings", compute="_compute_findings", store=True, copy=False)
    findings_html = fields.Html("Findings", compute="_compute_findings_html", sanitize=True)

    # what the CDC said
    cdc_message = fields.Text("CDC message", readonly=True, copy=False)
    cdc_category = fields.Char("CDC category", readonly=True, copy=False)
    cdc_hint = fields.Text("How to fix", readonly=True, copy=False)
    cdc_date = fields.Datetime("CDC answer date", readonly=True, copy=False)

    # the correction queue
    issue = fields.Text("Reason", compute="_compute_issue", store=True)
    issue_hint = fields.Text("Hint", compute="_compute_issue", store=True)
    fix_target = fields.Selection(
        [
            ("partner", "Contact"),
            ("registration", "Attendee"),
            ("certification", "Certification"),
            ("passage", "Passage"),
        ],
        "Fix on",
        compute="_compute_issue",
        store=True,
    )

    deadline = fields.Date(
        compute="_compute_deadline",
        store=True,
        index=True,
        help="Award date + 3 months: last day to declare the passage.",
    )
    deadline_reminder = fields.Selection(
        [("30", "30 days"), ("7", "7 days")], readonly=True, copy=False
    )

    # deposits
    pending_deposit_id = fields.Many2one(
        "accrochage.deposit",
        "Open deposit",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The open deposit that holds this passage; a passage is never in two open deposits.",
    )
    deposit_line_ids = fields.One2many(
        "accrochage.deposit.line", "passage_id", "Deposit lines", readonly=True
    )
    deposit_ids = fields.Many2many(
        "accrochage.deposit", compute="_compute_deposit_ids", string="Deposits"
    )
    deposit_count = fields.Integer(compute="_compute_deposit_ids")

    _id_technique_uniq = models.Constraint(
        "UNIQUE(id_technique)", "The technical id of a passage must be unique."
    )
    _accepted_not_pending = models.Constraint(
        "CHECK(state != 'accepted' OR pending_deposit_id IS NULL)",
        "A passage accepted by the Caisse des Dépôts cannot be deposited again.",
    )
    _registration_certification_uniq = models.UniqueIndex(
        "(registration_id, certification_id) WHERE registration_id IS NOT NULL",
        "This attendee already has a passage for this certification.",
    )

    # ------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------
    @api.depends("partner_id", "certification_id")
    def _compute_display_name(self):
        for passage in self:
            passage.display_name = " — ".join(
                name for name in (passage.partner_id.name, passage.certification_id.code) if name
            )

    @api.depends("registration_id")
    def _compute_event_id(self):
        for passage in self:
            if passage.registration_id:
                passage.event_id = passage.registration_id.event_id

    @api.depends("registration_id.accrochage_result")
    def _compute_admitted(self):
        for passage in self:
            passage.admitted = (
                not passage.registration_id
                or passage.registration_id.accrochage_result == "admitted"
            )

    @api.depends("certification_id")
    def _compute_from_certification(self):
        for passage in self:
            certification = passage.certification_id
            if certification and not passage.obtention_mode:
                passage.obtention_mode = certification.obtention_mode
            if certification.option_label and not passage.option_label:
                passage.option_label = certification.option_label

    @api.depends(*(f"event_id.{name}" for name in FROM_SESSION.values()))
    def _compute_from_session(self):
        for passage in self:
            if not passage.event_id:
                continue
            for target, source in FROM_SESSION.items():
                passage[target] = passage.event_id[source]

    @api.depends(
        "certification_id.validity_months",
        *(f"registration_id.{name}" for name in FROM_REGISTRATION.values()),
    )
    def _compute_from_registration(self):
        for passage in self:
            registration = passage.registration_id
            if not registration:
                continue
            for target, source in FROM_REGISTRATION.items():
                passage[target] = registration[source]
            months = passage.certification_id.validity_months
            if months and passage.award_date and not passage.validity_end:
                passage.validity_end = passage.award_date + relativedelta(months=months)

    @api.depends("registration_id.accrochage_bloc_ids")
    def _compute_bloc_ids(self):
        for passage in self:
            if passage.registration_id:
                passage.bloc_ids = passage.registration_id.accrochage_bloc_ids

    @api.depends("award_date")
    def _compute_deadline(self):
        from accrochage.deadline import deadline

        for passage in self:
            passage.deadline = passage.award_date and deadline(passage.award_date)

    @api.depends(
        *PASSAGE_FACTS.values(),
        "digital_result_ids.level",
        "digital_result_ids.domain_id",
        "digital_result_ids.competence_id",
        "registration_id.accrochage_digital_result_ids",
        "registration_id.accrochage_result",
        *(f"partner_id.{name}" for name in PARTNER_FACTS.values()),
        "partner_id.accrochage_nir",
        "certification_id.certification_type",
        "certification_id.code",
        "certifier_id.id_client",
        "certifier_id.id_contrat",
        "certifier_id.nature_deposant",
        "company_id.accrochage_id_client",
        "company_id.accrochage_schema_version",
    )
    def _compute_findings(self):
        """Run the engine's pre-send rules; store what they found."""
        for passage, findings in self._accrochage_check().items():
            blocking = [finding for finding in findings if finding.blocking]
            passage.findings_json = json.dumps(
                [finding.as_dict() for finding in findings], ensure_ascii=False
            )
            passage.has_blocking = bool(blocking)
            passage.blocking_count = len(blocking)
            passage.warning_count = len(findings) - len(blocking)

    @api.depends("findings_json")
    def _compute_findings_html(self):
        for passage in self:
            items = "".join(
                "<li><b>{}</b> {}</li>".format(
                    "⛔" if item.get("severity") == "blocking" else "⚠",
                    _escape(item.get("message", "")),
                )
                for item in passage._findings()
            )
            passage.findings_html = f"<ul>{items}</ul>" if items else False

    @api.depends("has_blocking")
    def _compute_state(self):
        """Incomplete while a blocking finding remains; ready otherwise.

        Exported, accepted and rejected passages keep their state: a rejected
        one goes back to ready through the re-check button only.
        """
        for passage in self:
            if passage.state in (False, "incomplete", "ready"):
                passage.state = "incomplete" if passage.has_blocking else "ready"

    @api.depends("state", "findings_json", "cdc_message", "cdc_hint", "cdc_category")
    def _compute_issue(self):
        for passage in self:
            blocking = [item for item in passage._findings() if item["severity"] == "blocking"]
            if passage.state == "rejected":
                passage.issue = passage.cdc_message
                passage.issue_hint = passage.cdc_hint
                passage.fix_target = (
                    "certification" if passage.cdc_category == "certification_ko" else "partner"
                )
            elif blocking:
                passage.issue = "\n".join(item["message"] for item in blocking)
                passage.fix_target = passage._fix_target(blocking[0].get("field"))
                passage.issue_hint = passage._fix_hint(passage.fix_target)
            else:
                passage.issue = passage.issue_hint = passage.fix_target = False

    def _compute_deposit_ids(self):
        for passage in self:
            passage.deposit_ids = passage.deposit_line_ids.deposit_id
            passage.deposit_count = len(passage.deposit_ids)

    # ------------------------------------------------------------------
    # engine mapping
    # ------------------------------------------------------------------
    def _findings(self):
        self.ensure_one()
        return json.loads(self.findings_json or "[]")

    def _fix_target(self, fact):
        if fact in PARTNER_FACTS or fact in ("nir", "nomTitulaire", "prenom1Titulaire"):
            return "partner"
        if fact in CERTIFICATION_FACTS or fact in CERTIFIER_FACTS:
            return "certification"
        field_name = PASSAGE_FACTS.get(fact)
        if self.registration_id and (field_name in FROM_REGISTRATION or field_name in FROM_SESSION):
            return "registration"
        return "passage"

    def _fix_hint(self, target):
        return {
            "partner": self.env._("Fix the civil status on the contact form."),
            "registration": self.env._("Fix the result on the attendee or session form."),
            "certification": self.env._("Fix the certification or the certifier account."),
            "passage": self.env._("Fix the passage itself."),
        }[target]

    def _version(self):
        return self.company_id.accrochage_schema_version or "1.1.2"

    def _to_engine(self):
        """The engine's passage dicts for these records, in one batch: {record: dict}.

        Identity comes from the contact, the award from the passage, the
        header from the certification, its certifier and the company.
        """
        identities = self.partner_id._accrochage_identity()
        result = {}
        for passage in self:
            certification = passage.certification_id
            certifier = certification.certifier_id
            facts = {key: passage[name] or None for key, name in PASSAGE_FACTS.items()}
            facts.update(identities.get(passage.partner_id.id, {}))
            results = (
                passage.digital_result_ids or passage.registration_id.accrochage_digital_result_ids
            )
            facts.update(
                {
                    "idClientEmetteur": passage.company_id.accrochage_id_client
                    or certifier.id_client
                    or None,
                    "idClientCertificateur": certifier.id_client or None,
                    "idContrat": certifier.id_contrat or None,
                    "natureDeposant": certifier.nature_deposant or None,
                    "type": certification.certification_type or None,
                    "code": certification.code or None,
                    "donneeCertifiee": bool(passage.result_final),
                    "presenceNiveauLangueEuro": bool(passage.cecrl_level),
                    "presenceNiveauNumeriqueEuro": bool(passage.digital_score or results),
                    "resultats": results._to_engine() if results else [],
                    "admis": passage.admitted,
                }
            )
            if facts["idDossier"]:
                facts["nomTitulaire"] = facts["nomNaissance"]
                facts["prenom1Titulaire"] = facts["prenom1"]
            result[passage] = facts
        return result

    def _accrochage_check(self, today=None):
        """Findings of each passage: {record: [Finding]}."""
        from accrochage.rules import check_passage

        today = today or fields.Date.context_today(self)
        return {
            passage: check_passage(facts, version=passage._version(), today=today)
            for passage, facts in self._to_engine().items()
        }

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_recheck(self):
        """Run the rules again; a fixed rejected passage becomes ready."""
        for name in FINDING_FIELDS:
            self.env.add_to_compute(self._fields[name], self)
        self._recompute_recordset(FINDING_FIELDS)
        fixed = self.filtered(lambda p: p.state == "rejected" and not p.has_blocking)
        if fixed:
            fixed.write({"state": "ready"})
        still = self.filtered(lambda p: p.state in ("incomplete", "rejected"))
        if len(self) == 1 and still:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "message": self.env._(
                        "The passage is not ready yet: %(reason)s",
                        reason=still.issue or "",
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return True

    def action_open_fix(self):
        """Open the record where the issue is fixed (contact, attendee, …)."""
        self.ensure_one()
        target = {
            "partner": self.partner_id,
            "registration": self.registration_id,
            "certification": self.certification_id,
        }.get(self.fix_target) or self
        return {
            "type": "ir.actions.act_window",
            "res_model": target._name,
            "res_id": target.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_build_deposit(self):
        deposits = self.env["accrochage.deposit"]._create_from_passages(self)
        deposits._generate()
        return deposits._action_open()

    def action_view_deposits(self):
        self.ensure_one()
        return self.deposit_ids._action_open()

    def write(self, vals):
        if "state" in vals and vals["state"] != "accepted":
            if self.filtered(lambda p: p.state == "accepted") and not self.env.context.get(
                "accrochage_receipt"
            ):
                raise UserError(
                    self.env._(
                        "A passage accepted by the Caisse des Dépôts no longer changes "
                        "state: it must never be sent again."
                    )
                )
        return super().write(vals)

    # ------------------------------------------------------------------
    # crons
    # ------------------------------------------------------------------
    @api.model
    def _cron_deadline_reminders(self):
        """Schedule an activity 30 and 7 days before each open deadline."""
        today = fields.Date.context_today(self)
        activity_type = self.env.ref(
            "accrochage_certificateur.mail_activity_type_accrochage_deadline",
            raise_if_not_found=False,
        )
        for days, level in ((7, "7"), (30, "30")):
            domain = [
                ("state", "not in", ("accepted",)),
                ("deadline", "!=", False),
                ("deadline", ">=", today),
                ("deadline", "<=", today + relativedelta(days=days)),
            ]
            if level == "30":
                domain.append(("deadline_reminder", "=", False))
            else:
                domain.append(("deadline_reminder", "!=", "7"))
            passages = self.search(domain)
            if not passages:
                continue
            self.env["mail.activity"].create(
                [
                    {
                        "res_model_id": self.env["ir.model"]._get_id(self._name),
                        "res_id": passage.id,
                        "activity_type_id": activity_type.id if activity_type else False,
                        "summary": self.env._(
                            "Declare before %(date)s",
                            date=fields.Date.to_string(passage.deadline),
                        ),
                        "date_deadline": passage.deadline,
                        "user_id": (
                            passage.certification_id.user_id
                            or passage.event_id.user_id
                            or self.env.user
                        ).id,
                    }
                    for passage in passages
                ]
            )
            passages.write({"deadline_reminder": level})


def _escape(text):
    from markupsafe import escape

    return str(escape(text))
