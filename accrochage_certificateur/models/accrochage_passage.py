import functools
import hashlib
import hmac
import json
import uuid

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from ..batch import read_columns
from ..engine import (
    DEFAULT_VERSION,
    enum_selection,
    fact_help,
    holder_fingerprint,
    identity_keys,
)
from .res_partner import COUNTRY_FIELD, FIX_FIELDS, IDENTITY_FIELDS

STATES = [
    ("incomplete", "Incomplete"),
    ("ready", "Ready"),
    ("exported", "Exported"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("withdrawing", "Withdrawal sent"),
    ("withdrawn", "Withdrawn"),
    ("out_of_scope", "Out of scope"),
]
#: the kanban's columns even when empty; the others show when a passage is there
WORKFLOW = ("incomplete", "ready", "exported", "accepted", "rejected")
#: the states a passage the CDC holds (or held) may take next
RECORDED_MOVES = {
    "accepted": ("accepted", "withdrawing"),
    "withdrawing": ("withdrawing", "withdrawn", "accepted"),
    "withdrawn": ("withdrawn",),
}
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
#: row numbers of records not saved yet start here (ids stay below)
NEW_ROWS = 1 << 38
#: what the pipeline trims around an idTechnique (str.strip's ASCII spaces)
ID_SPACES = " \t\n\r\x0b\x0c"
#: an idTechnique so trimmed, in SQL: the queries and the index they use say it alike
_OCTAL_SPACES = "".join(f"\\{ord(space):03o}" for space in ID_SPACES)
TRIMMED_ID = SQL(f"btrim(id_technique, E'{_OCTAL_SPACES}')")
#: the states of the passages a holder cannot be recorded twice with: the CDC
#: withdrew them, or they are not sent
NOT_RECORDED = ("withdrawn", "out_of_scope")
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
#: facts the addon derives from a passage field: where they are fixed
DERIVED_FROM = {
    "presenceNiveauLangueEuro": "cecrl_level",
    "presenceNiveauNumeriqueEuro": "digital_score",
    "niveauNumeriqueEuropeen": "digital_score",
    "resultats": "digital_result_ids",
    "resultat": "digital_result_ids",
    "niveau": "digital_result_ids",
    "domaineCompetenceId": "digital_result_ids",
    "competenceId": "digital_result_ids",
}
#: header facts and where they are fixed
CERTIFICATION_FACTS = {"type": "certification_type", "code": "code"}
CERTIFIER_FACTS = {
    "natureDeposant": "nature_deposant",
    "idClientEmetteur": "id_client",
    "idClientCertificateur": "id_client",
    "idContrat": "id_contrat",
}
#: meta key of the engine: False for a candidate who was not admitted
ADMITTED = "admis"
#: what the CDC matches a passage on besides the holder's identity
MATCHED_FACTS = ("type", "code")
#: CDC answer category -> the fact to look at first (accrochage.receipt categories)
CDC_CATEGORY_FACTS = {
    "certification_ko": "code",
    "titulaire_jour_mois": "jourNaissance",
    "titulaire_reconciliation": "codeInsee",
    "titulaires_multiples": "jourNaissance",
    "dates_validite": "dateFinValidite",
}
FIX_TARGETS = [
    ("partner", "Holder"),
    ("registration", "Attendee"),
    ("event", "Session"),
    ("certification", "Certification"),
    ("certifier", "Certifier account"),
    ("passage", "Passage"),
]
FINDING_FIELDS = (
    "findings_json",
    "has_blocking",
    "blocking_count",
    "warning_count",
    "holder_fingerprint",
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

    # no plain index: the unique constraint's finds an id, the trimmed one
    # (_id_technique_trimmed_idx) the id as the CDC compares it
    id_technique = fields.Char(
        "Technical id",
        required=True,
        readonly=True,
        copy=False,
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
        group_expand="_expand_states",
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Holder",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
        ondelete="restrict",
        help="The holder whose civil status is sent: the attendee's holder when the "
        "passage comes from a session.",
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
    holder_fingerprint = fields.Char(
        "Holder fingerprint",
        compute="_compute_findings",
        store=True,
        index="btree_not_null",
        copy=False,
        help="A keyed hash of the holder, the certification and the exam date, as the checks "
        "compare them to find the same holder twice: never the data.",
    )
    findings_html = fields.Html("Findings", compute="_compute_findings_html", sanitize=True)

    # what the CDC said
    cdc_message = fields.Text("CDC message", readonly=True, copy=False)
    cdc_category = fields.Char("CDC category", readonly=True, copy=False)
    cdc_hint = fields.Text("How to fix", readonly=True, copy=False)
    cdc_date = fields.Datetime("CDC answer date", readonly=True, copy=False)

    # the correction queue: the engine's messages are stored (French, as the
    # CDC's), what the addon says is computed in the reader's language
    issue = fields.Text("Reason", compute="_compute_issue", store=True)
    issue_hint = fields.Text("Where to fix", compute="_compute_issue_hint")
    fix_target = fields.Selection(FIX_TARGETS, "Fix on", compute="_compute_issue", store=True)
    # a rejected passage is sent again only when what the CDC matches on changed
    sent_fingerprint = fields.Char(
        "Sent identity fingerprint",
        readonly=True,
        copy=False,
        help="A keyed hash of what the CDC matched this passage on when it was last "
        "put in a file (the holder's identity, the certification): never the data.",
    )
    match_changed = fields.Boolean(
        "Changed since sent",
        compute="_compute_match_changed",
        help="What the CDC matches on (the holder's identity, the certification) has "
        "changed since the passage was last put in a file.",
    )

    changed_since_sent = fields.Boolean(
        "Modified since sent",
        compute="_compute_sent_diff",
        help="An accepted passage: what it would send today differs from what the CDC recorded.",
    )
    sent_diff_html = fields.Html(
        "Differences with what was sent", compute="_compute_sent_diff", sanitize=True
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
    replaces_id = fields.Many2one(
        "accrochage.passage",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        help="The withdrawn passage this one replaces, under a new technical id.",
    )
    replaced_by_ids = fields.One2many(
        "accrochage.passage", "replaces_id", "Replaced by", readonly=True
    )
    correction_request_ids = fields.Many2many(
        "accrochage.correction.request",
        "accrochage_correction_request_passage_rel",
        "passage_id",
        "request_id",
        "Correction requests",
        readonly=True,
        copy=False,
    )

    _id_technique_uniq = models.Constraint(
        "UNIQUE(id_technique)", "The technical id of a passage must be unique."
    )
    _accepted_not_pending = models.Constraint(
        "CHECK(state != 'accepted' OR pending_deposit_id IS NULL)",
        "A passage accepted by the Caisse des Dépôts cannot be deposited again.",
    )
    # the id as the CDC compares it, trimmed (_accrochage_cross_rows): found by
    # index, not by trimming every passage's id at each check and deposit
    _id_technique_trimmed_idx = models.Index(f"({TRIMMED_ID.code})")
    _registration_certification_uniq = models.UniqueIndex(
        "(registration_id, certification_id) WHERE registration_id IS NOT NULL",
        "This attendee already has a passage for this certification.",
    )

    # ------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------
    def _expand_states(self, states, domain):
        """The workflow's columns in order, and the rarer states only when used."""
        return [key for key, _label in STATES if key in WORKFLOW or key in states]

    @api.depends("partner_id", "certification_id")
    def _compute_display_name(self):
        for passage in self:
            passage.display_name = " — ".join(
                name for name in (passage.partner_id.name, passage.certification_id.code) if name
            )

    @api.depends("registration_id.accrochage_holder_id")
    def _compute_partner_id(self):
        """The attendee's holder, never the booker (who may be an employer)."""
        for passage in self:
            holder = passage.registration_id.accrochage_holder_id
            if holder and not passage._recorded_by_cdc():
                passage.partner_id = holder

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
            if not passage.event_id or passage._recorded_by_cdc():
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
            if not registration or passage._recorded_by_cdc():
                continue  # what the CDC recorded no longer follows the attendee
            for target, source in FROM_REGISTRATION.items():
                passage[target] = registration[source]
            months = passage.certification_id.validity_months
            if months and passage.award_date and not passage.validity_end:
                passage.validity_end = passage.award_date + relativedelta(months=months)

    @api.depends("registration_id.accrochage_bloc_ids")
    def _compute_bloc_ids(self):
        for passage in self:
            if passage.registration_id and not passage._recorded_by_cdc():
                passage.bloc_ids = passage.registration_id.accrochage_bloc_ids

    def _recorded_by_cdc(self):
        """A receipt accepted this passage: it no longer follows its attendee,
        session or holder (read from its lines, not its state, which is being
        computed while a passage is created)."""
        self.ensure_one()
        return bool(self.id) and any(line.result == "ok" for line in self.deposit_line_ids)

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
        *(f"partner_id.{name}" for name in IDENTITY_FIELDS),
        f"partner_id.{COUNTRY_FIELD}.fr_cog",
        "certification_id.certification_type",
        "certification_id.code",
        "certifier_id.id_client",
        "certifier_id.id_contrat",
        "certifier_id.nature_deposant",
        "company_id.accrochage_id_client",
        "company_id.accrochage_schema_version",
        "company_id.accrochage_strict",
    )
    def _compute_findings(self):
        """Run the engine's pipeline (checks only); store what it found, and
        who the holder is as the pipeline prepared the passage."""
        outcomes = self._accrochage_run()[0]
        self._accrochage_store_findings(
            {passage: list(outcome.findings) for passage, outcome in outcomes.items()}
        )
        secret = self._fingerprint_secret()
        for passage in self:
            outcome = outcomes.get(passage)
            passage.holder_fingerprint = outcome is not None and holder_fingerprint(
                outcome.passage, secret, prepared=True
            )

    def _accrochage_store_findings(self, findings_by_passage):
        """Store the findings of each passage ``{record: [Finding]}``: in the
        compute, or after a deposit set a passage aside."""
        for passage, findings in findings_by_passage.items():
            blocking = [finding for finding in findings if finding.blocking]
            passage.findings_json = _findings_text(findings)
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

    @api.depends("has_blocking", "partner_id.accrochage_out_of_scope")
    def _compute_state(self):
        """Incomplete while a blocking finding remains; ready otherwise.

        Exported, accepted and rejected passages keep their state: a rejected
        one goes back to ready through "Check again" once what the CDC matches
        on has changed, or through "Resend unchanged" with a reason.
        """
        for passage in self:
            if passage.state in (False, "out_of_scope", "incomplete", "ready"):
                if passage.partner_id.accrochage_out_of_scope:
                    passage.state = "out_of_scope"  # general guide V5 §2.4: never deposited
                else:
                    passage.state = "incomplete" if passage.has_blocking else "ready"

    @api.depends("state", "findings_json", "cdc_category", "registration_id", "event_id")
    def _compute_issue(self):
        for passage in self:
            blocking = passage._blocking_findings()
            if passage.state == "rejected":
                passage.issue = passage.cdc_message
                passage.fix_target = passage._fix_location(passage._cdc_fact())[0]
            elif blocking:
                passage.issue = "\n".join(item["message"] for item in blocking)
                passage.fix_target = passage._fix_location(passage._finding_fact(blocking[0]))[0]
            else:
                passage.issue = passage.fix_target = False

    @api.depends(
        "state",
        "findings_json",
        "cdc_hint",
        "cdc_category",
        "partner_id.name",
        "registration_id.name",
        "event_id.name",
    )
    @api.depends_context("lang")
    def _compute_issue_hint(self):
        """Every blocking finding with where it is fixed, in the reader's language."""
        for passage in self:
            if passage.state == "rejected":
                lines = [passage.cdc_hint] if passage.cdc_hint else []
                lines.append(
                    passage._hint_line(passage._cdc_fact())
                    + " "
                    + self.env._(
                        "Then click “Check again”: the passage is ready again once what "
                        "the CDC matches on has changed; or use “Resend unchanged” with "
                        "a reason."
                    )
                )
            else:
                lines = [
                    passage._hint_line(passage._finding_fact(item), item.get("dico_id"))
                    for item in passage._blocking_findings()
                ]
            passage.issue_hint = "\n".join(lines) or False

    @api.depends(
        "sent_fingerprint",
        *(f"partner_id.{name}" for name in IDENTITY_FIELDS),
        "certification_id.certification_type",
        "certification_id.code",
    )
    def _compute_match_changed(self):
        current = self._match_fingerprints()
        for passage in self:
            passage.match_changed = bool(
                passage.sent_fingerprint and current.get(passage) != passage.sent_fingerprint
            )

    @api.depends(
        "state",
        "deposit_line_ids.result",
        *PASSAGE_FACTS.values(),
        *(f"partner_id.{name}" for name in IDENTITY_FIELDS),
        *(f"registration_id.{name}" for name in FROM_REGISTRATION.values()),
        *(f"event_id.{name}" for name in FROM_SESSION.values()),
    )
    @api.depends_context("lang", "uid")
    def _compute_sent_diff(self):
        """Accepted passages: each field whose value today differs from the one sent.

        Birth data are shown to the manager group only, the NIR never (it is
        not kept with what was sent).
        """
        from accrochage.dictionary import personal_keys

        accepted = self.filtered(lambda p: p.state == "accepted" and p.id)
        (self - accepted).changed_since_sent = False
        (self - accepted).sent_diff_html = False
        if not accepted:
            return
        hidden = set(personal_keys("nir"))
        if not self.env.user.has_group("accrochage_certificateur.group_accrochage_manager"):
            hidden |= personal_keys("birth")
        current = accepted._to_engine()
        for passage in accepted:
            diff = passage._sent_differences(passage._source_facts(current[passage]), hidden)
            passage.changed_since_sent = bool(diff)
            passage.sent_diff_html = (
                "<ul>"
                + "".join(
                    f"<li><b>{_escape(label)}</b> : {_escape(old)} → {_escape(new)}</li>"
                    for label, old, new in diff
                )
                + "</ul>"
                if diff
                else False
            )

    def _source_facts(self, facts):
        """The engine's passage as its sources say today: an accepted passage keeps
        what was sent, the attendee and the session may have changed since."""
        self.ensure_one()
        facts = dict(facts)
        sources = [(self.registration_id, FROM_REGISTRATION), (self.event_id, FROM_SESSION)]
        for key, name in PASSAGE_FACTS.items():
            for record, mapping in sources:
                if record and name in mapping:
                    facts[key] = record[mapping[name]] or None
        return facts

    def _sent_values(self):
        """What the last accepted file held for this passage: {fact: value}, or None."""
        self.ensure_one()
        lines = self.sudo().deposit_line_ids.filtered(
            lambda line: (
                line.result == "ok" and line.sent_values and line.deposit_id.action == "CREATION"
            )
        )
        if not lines:
            return None
        return json.loads(max(lines, key=lambda line: line.id).sent_values)

    def _sent_differences(self, facts, hidden=frozenset()):
        """[(label, sent, today)] for each fact that changed since it was sent."""
        from ..engine import fact_label, prepare_passage

        sent = self._sent_values()
        if sent is None:
            return []
        version = self._version()
        # compared as the pipeline sends them: "élodie" retyped "Élodie" is no change
        today = _snapshot(prepare_passage(facts, version=version))
        diff = []
        for key in sorted(set(sent) | set(today)):
            if key in hidden or key in SNAPSHOT_SKIP:
                continue
            old, new = sent.get(key), today.get(key)
            if old != new:
                diff.append((fact_label(key, version), _shown(old), _shown(new)))
        return diff

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

    def _blocking_findings(self):
        return [item for item in self._findings() if item.get("severity") == "blocking"]

    @staticmethod
    def _finding_fact(item):
        """The fact a stored finding is about; a missing identification names
        no field (it is a choice): the holder's birth name is where it starts."""
        if not item.get("field") and item.get("code") == "choice_missing":
            return "identificationTitulaire"
        return item.get("field")

    def _cdc_fact(self):
        return CDC_CATEGORY_FACTS.get(self.cdc_category, "nomNaissance")

    def _fix_location(self, fact):
        """``(target, record, field name)``: where a fact of this passage is fixed.

        The holder's identity on the holder's contact, the result on the
        attendee, the exam on the session, the header on the certification or
        its certifier account, the rest on the passage itself.
        """
        self.ensure_one()
        if fact in FIX_FIELDS or fact == "codeInsee":
            field = FIX_FIELDS.get(fact)
            if fact in ("codeInsee", "codeCommuneNaissance") and (
                self.partner_id.accrochage_birth_abroad
            ):
                field = COUNTRY_FIELD
            return "partner", self.partner_id, field
        if fact in CERTIFICATION_FACTS:
            return "certification", self.certification_id, CERTIFICATION_FACTS[fact]
        if fact in CERTIFIER_FACTS:
            return "certifier", self.certifier_id, CERTIFIER_FACTS[fact]
        if fact == ADMITTED and self.registration_id:
            return "registration", self.registration_id, "accrochage_result"
        field = PASSAGE_FACTS.get(fact) or DERIVED_FROM.get(fact)
        if self.registration_id and field == "digital_result_ids":
            return "registration", self.registration_id, "accrochage_digital_result_ids"
        if self.registration_id and field in FROM_REGISTRATION:
            return "registration", self.registration_id, FROM_REGISTRATION[field]
        if self.event_id and field in FROM_SESSION:
            return "event", self.event_id, FROM_SESSION[field]
        return "passage", self, field if field in self._fields else None

    def _hint_line(self, fact, dico_id=None):
        """“Sex (#8.9): on the holder “Paul Durand”, Certification tab.”"""
        target, record, field = self._fix_location(fact)
        label = record._fields[field]._description_string(self.env) if field else fact
        if dico_id:
            label = f"{label} (#{dico_id})"
        name = record.display_name
        if target == "partner":
            where = self.env._("on the holder “%(name)s”, Certification tab", name=name)
        elif target == "registration":
            where = self.env._("on the attendee “%(name)s”, Certification tab", name=name)
        elif target == "event":
            where = self.env._("on the session “%(name)s”, Certification tab", name=name)
        elif target == "certification":
            where = self.env._("on the certification %(name)s", name=name)
        elif target == "certifier":
            where = self.env._("on the certifier account %(name)s", name=name)
        else:
            where = self.env._("on this passage")
        return self.env._("%(field)s: %(where)s.", field=label or "?", where=where)

    def _version(self):
        return self.company_id.accrochage_schema_version or "1.1.2"

    def _to_engine(self):
        """The engine's passage dicts for these records, in one batch: {record: dict}.

        Only a mapping of fields to the dictionary's fact keys: identity from
        the contact, the award from the passage, the header from the
        certification, its certifier and the company. What the dictionary
        derives (presence flags, the emitter that is the certifier, the names
        of the CPF file branch) is completed by the engine's pipeline.

        The fields are read as columns, in one query (``read_columns``), the
        header once per certification and company: per-record attribute
        access was most of the cost of a deposit (bench/bench_odoo.py).
        """
        if not self:
            return {}
        relations = ("partner_id", "certification_id", "company_id", "registration_id")
        read = read_columns(self, [*PASSAGE_FACTS.values(), *relations])
        columns = [
            (key, read[name]) for key, name in PASSAGE_FACTS.items() if name != "result_final"
        ]
        final = read["result_final"]
        # in one query, for the ORM reads that follow: ``admitted`` is computed
        # from the attendee, the passages are grouped by company
        self.fetch(["registration_id", "company_id"])
        admitted = self.mapped("admitted")
        holders = self.env["res.partner"].browse({pid for pid in read["partner_id"] if pid})
        identities = holders._accrochage_identity()
        headers = {}
        for company_id, certification_id in set(
            zip(read["company_id"], read["certification_id"], strict=True)
        ):
            certification = self.env["accrochage.certification"].browse(certification_id)
            company = self.env["res.company"].browse(company_id)
            certifier = certification.certifier_id
            headers[company_id, certification_id] = {
                "idClientEmetteur": company.accrochage_id_client or None,
                "idClientCertificateur": certifier.id_client or None,
                "idContrat": certifier.id_contrat or None,
                "natureDeposant": certifier.nature_deposant or None,
                "type": certification.certification_type or None,
                "code": certification.code or None,
            }
        Registration = self.env["event.registration"]
        results = self._accrochage_digital_results(
            [Registration.browse(record_id or ()) for record_id in read["registration_id"]]
        )
        result = {}
        for index, passage in enumerate(self):
            facts = {key: values[index] or None for key, values in columns}
            facts.update(identities.get(read["partner_id"][index], {}))
            facts.update(headers[read["company_id"][index], read["certification_id"][index]])
            facts["donneeCertifiee"] = bool(final[index])
            facts["resultats"] = results.get(passage, [])
            facts[ADMITTED] = admitted[index]
            result[passage] = facts
        return result

    def _accrochage_digital_results(self, registrations):
        """{passage: DigComp results as engine dicts}, the passage's own or its
        attendee's, for the passages that have some (two queries in all; a
        record being typed in a form is read from the form)."""
        Result = self.env["accrochage.digital.result"]
        saved = [p.id for p in self if isinstance(p.id, int)]
        by_passage = Result.search([("passage_id", "in", saved)]).grouped("passage_id")
        registration_ids = [r.id for r in registrations if r and isinstance(r.id, int)]
        by_registration = Result.search([("registration_id", "in", registration_ids)]).grouped(
            "registration_id"
        )
        found = {}
        for passage, registration in zip(self, registrations, strict=True):
            if isinstance(passage.id, int):
                results = by_passage.get(passage) or by_registration.get(registration)
            else:
                results = passage.digital_result_ids or registration.accrochage_digital_result_ids
            if results:
                found[passage] = results._to_engine()
        return found

    def _accrochage_row(self, index=0):
        """The row number of a passage in the pipeline: its id (a record being
        typed has none yet: a number no id reaches)."""
        return self.id if isinstance(self.id, int) else NEW_ROWS + index

    def _accrochage_cross_rows(self, facts):
        """What the checks across passages need from the database, in one query:
        ``(accepted ids, other rows, accepted rows)``.

        The ``idTechnique`` values the CDC already accepted (passages in state
        accepted, these ones included), the other passages carrying one of
        these ids (``(id, idTechnique)``), and which of these passages are
        accepted. The states are read as stored: a check may run while the
        state waits for its own findings.

        Raw SQL because the ORM compares the stored text as it is, while the
        CDC compares the id the flux carries, trimmed as the pipeline trims
        it: " P-1" and "P-1" are one id for it.
        """
        self.flush_model(["id_technique"])
        idents = {(facts[passage].get("idTechnique") or "").strip() for passage in self}
        self.env.cr.execute(
            SQL(
                "SELECT id, %s, state = 'accepted' FROM accrochage_passage WHERE %s = ANY(%s)",
                TRIMMED_ID,
                TRIMMED_ID,
                [ident for ident in idents if ident],
            )
        )
        found = self.env.cr.fetchall()
        mine = {passage.id for passage in self}
        accepted = {ident for _id, ident, done in found if done}
        others = [(row, ident) for row, ident, done in found if not done and row not in mine]
        done = {row for row, _ident, is_done in found if is_done and row in mine}
        return accepted, others, done

    def _fingerprint_secret(self):
        """The key of the passages' fingerprints: the database's own secret."""
        return self.env["ir.config_parameter"].sudo().get_param("database.secret", "").encode()

    def _accrochage_other_holders(self, facts):
        """The other passages of the same holder, certification and exam date
        as one of these (``facts``: their engine dicts): ``{record id: engine
        dict}``, for the engine's "same holder twice" warning. Without them, a
        passage checked alone, or by the ORM's batches, would not be compared
        with the database.

        Found by their stored :func:`..engine.holder_fingerprint` (an index),
        those of these passages worked out afresh (the check may follow a
        change of the holder); passages the CDC withdrew or that are not sent
        are left out. Fingerprints and states are read as stored, as in
        :meth:`_accrochage_cross_rows`: a passage still to compute is compared
        when it is computed (a state still to compute is none of
        :data:`NOT_RECORDED`). Read as superuser, to compare only: the message
        names a passage the user cannot read by its number.
        """
        saved = self.filtered("id")
        secret = self._fingerprint_secret()
        prints = set()
        for company, passages in saved.grouped("company_id").items():
            version = company.accrochage_schema_version or DEFAULT_VERSION
            prints.update(holder_fingerprint(facts[p], secret, version=version) for p in passages)
        prints.discard(None)
        if not prints:
            return {}
        # the values computed so far, without computing those still to compute:
        # that would nest, inside this one, the compute of every pending batch
        self._flush()
        found = self.env.execute_query(
            SQL(
                """SELECT id FROM accrochage_passage
                    WHERE holder_fingerprint = ANY(%s) AND company_id = ANY(%s)
                      AND id <> ALL(%s) AND COALESCE(state, 'incomplete') NOT IN %s""",
                list(prints),
                list(saved.company_id.ids),
                list(saved.ids),
                NOT_RECORDED,
            )
        )
        others = self.browse(row for (row,) in found).sudo()
        return {passage.id: facts for passage, facts in others._to_engine().items()}

    def _accrochage_labeler(self, records, others):
        """``label(row)``: how the engine's French messages name a passage, "le
        passage n° 12 (…)" (in French where it is installed, as the messages
        are). Passages outside the check are named by number unless readable;
        the names are read in batches, and only for the rows a message names."""
        french = self.env
        if self.env["res.lang"]._lang_get("fr_FR"):
            french = self.with_context(lang="fr_FR").env
        labels = {}
        outside = {}

        def label(row):
            if row in labels:
                return labels[row]
            passage = records.get(row)
            if passage is None and others:
                if not outside:
                    readable = self.browse(row for row, _ident in others)._filtered_access("read")
                    outside.update((passage.id, passage) for passage in readable)
                passage = outside.get(row)
            if passage:
                text = french._(
                    "the passage no. %(id)s (%(name)s)", id=row, name=passage.display_name
                )
            else:
                text = french._("the passage no. %(id)s", id=row if row < NEW_ROWS else "?")
            labels[row] = text
            return text

        return label

    def _accrochage_run(
        self,
        out_dir=None,
        *,
        version=None,
        today=None,
        now=None,
        flux_seed=None,
        on_row=None,
        action="CREATION",
    ):
        """Run the engine's pipeline over these passages: ``({record: RowOutcome}, files)``.

        The one place the addon calls :func:`..engine.run_pipeline`: the
        check of passages, the deposit (``out_dir``: where the files go) and
        the cron. One run per schema version and strict setting (per
        company; ``version`` forces one); passages the CDC already accepted
        are checked alone, the others also against each other and the
        database (an id twice, an id already accepted). ``on_row(record,
        outcome)`` is called as each row is done; ``action`` is the flux's
        (SUPPRESSION for a withdrawal).
        """
        from ..engine import run_pipeline

        today = today or fields.Date.context_today(self)
        facts = self._to_engine()
        accepted, others, done = self._accrochage_cross_rows(facts)
        holders = list(self._accrochage_other_holders(facts).items())
        rows = {passage: passage._accrochage_row(index) for index, passage in enumerate(self)}
        records = {row: passage for passage, row in rows.items()}
        label = self._accrochage_labeler(records, [*others, *((row, None) for row, _ in holders)])
        groups = {}
        for company, passages in self.grouped("company_id").items():
            run_version = version or company.accrochage_schema_version or DEFAULT_VERSION
            for passage in passages:
                key = (run_version, company.accrochage_strict, passage.id in done)
                groups.setdefault(key, []).append(passage)
        outcomes, files = {}, []

        def sink(outcome):
            if outcome.passage is None:
                return  # about the input as a whole: never for records
            passage = records[outcome.row]
            outcomes[passage] = outcome
            if on_row is not None:
                on_row(passage, outcome)

        for (run_version, strict, done), passages in groups.items():
            result = run_pipeline(
                [(rows[passage], facts[passage]) for passage in passages],
                out_dir,
                version=run_version,
                today=today,
                now=now,
                strict=strict,
                accepted_ids=() if done else accepted,
                other_rows=() if done else others,
                other_holders=() if done else holders,
                row_label=label,
                flux_seed=flux_seed,
                on_row=sink,
                action=action,
            )
            files += result.files
        return outcomes, files

    def _accrochage_check(self, today=None):
        """Findings of each passage, from the engine's pipeline: {record: [Finding]}."""
        return {
            passage: list(outcome.findings)
            for passage, outcome in self._accrochage_run(today=today)[0].items()
        }

    def _match_fingerprints(self, engine_passages=None, *, prepared=False):
        """{passage: keyed hash of what the CDC matches it on}.

        The holder's identity (block 8 or 9, the NIR) and the certification,
        prepared as the pipeline sends them (``prepared``: the passages are
        the pipeline's already): retyping "élodie" as "Élodie" changes
        nothing. HMAC with the database secret: the hash does not give the
        NIR away to whoever reads the table.
        """
        from ..engine import prepare_passage

        passages = self.filtered("id")
        if not passages:
            return {}
        engine_passages = engine_passages or passages._to_engine()
        secret = self._fingerprint_secret()
        by_company = {}  # the schema version and its matched keys, once per company
        result = {}
        for passage, facts in engine_passages.items():
            found = by_company.get(passage.company_id)
            if found is None:
                version = passage._version()
                keys = sorted(identity_keys(version) | set(MATCHED_FACTS))
                found = by_company[passage.company_id] = (version, keys)
            version, keys = found
            clean = facts if prepared else prepare_passage(facts, version=version)
            payload = json.dumps({key: clean.get(key) for key in keys}, default=str)
            result[passage] = hmac.digest(secret, payload.encode(), hashlib.sha256).hex()
        return result

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_recheck(self):
        """Run the rules again; say what is ready, and why the others are not.

        A rejected passage is ready again only when what the CDC matches on
        has changed since the rejected file: sending the same data again
        would be rejected again.
        """
        self._accrochage_recheck()
        rejected = self.filtered(lambda p: p.state == "rejected" and not p.has_blocking)
        changed = rejected.filtered("match_changed")
        if changed:
            changed.write({"state": "ready"})
            for passage in changed:
                passage.message_post(
                    body=self.env._(
                        "Ready again: what the CDC matches on has changed since the rejected file."
                    )
                )
        if len(self) == 1:
            message = self._recheck_message()
            if not message:
                return True
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "message": message,
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        counts = {
            state: len(self.filtered(lambda p, s=state: p.state == s))
            for state in ("ready", "incomplete", "rejected")
        }
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "%(ready)s passage(s) ready, %(incomplete)s incomplete, %(rejected)s "
                    "rejected and unchanged since the CDC's answer.",
                    **counts,
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _accrochage_recheck(self):
        """Check these passages again, in one run of the pipeline for all of
        them; store the findings of those whose findings changed.

        The stored compute runs in batches of 1,000 records, each with its
        queries: one run, and the compute only where something changed, keep
        the queries of a check of any size the same (bench/bench_odoo.py).
        """
        self.fetch(["findings_json", "state", "has_blocking", "cdc_date"])
        stored = dict(zip(self, self.mapped("findings_json"), strict=True))
        changed = self.browse(
            passage.id
            for passage, findings in self._accrochage_check().items()
            if _findings_text(findings) != stored[passage]
        )
        changed._accrochage_findings_to_compute()
        changed._recompute_recordset(FINDING_FIELDS)

    def _accrochage_findings_to_compute(self):
        """Mark the findings of these passages, and what follows from them
        (the state, the reason to fix), to be computed again."""
        if not self:
            return
        for name in FINDING_FIELDS:
            self.env.add_to_compute(self._fields[name], self)
        self.modified(FINDING_FIELDS)

    def _recheck_message(self):
        """Why this passage is not ready after a check, or nothing."""
        self.ensure_one()
        if self.state == "incomplete":
            return self.env._("The passage is not ready yet: %(reason)s", reason=self.issue)
        if self.state == "rejected" and self.has_blocking:
            return self.env._("The passage is not ready yet: %(reason)s", reason=self.issue)
        if self.state == "rejected":
            date = self.cdc_date and format_date(self.env, self.cdc_date.date())
            return self.env._(
                "Nothing the CDC matches on has changed since the file rejected on "
                "%(date)s: correct the holder's civil status or the certification, or "
                "use “Resend unchanged” with a reason.",
                date=date or "?",
            )
        return False

    def action_resend_unchanged(self):
        """Ask for the reason before sending a rejected passage again as it is."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Resend unchanged"),
            "res_model": "accrochage.passage.resend",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_passage_ids": [(6, 0, self.ids)]},
        }

    def _resend_unchanged(self, reason):
        """Ready again without change: the reason stays in the chatter."""
        rejected = self.filtered(lambda p: p.state == "rejected")
        if rejected != self:
            raise UserError(self.env._("Only a passage rejected by the CDC can be resent."))
        blocked = rejected.filtered("has_blocking")
        if blocked:
            raise UserError(
                self.env._(
                    "Fix the blocking issues first: %(reason)s", reason=blocked[0].issue or ""
                )
            )
        rejected.write({"state": "ready"})
        for passage in rejected:
            passage.message_post(
                body=self.env._("Resent without change. Reason: %(reason)s", reason=reason)
            )
        return True

    def action_open_fix(self):
        """Open the record where the first blocking issue is fixed, on its field."""
        self.ensure_one()
        if self.state == "rejected":
            fact = self._cdc_fact()
        else:
            blocking = self._blocking_findings()
            fact = self._finding_fact(blocking[0]) if blocking else None
        _target, record, field = self._fix_location(fact)
        return {
            "type": "ir.actions.act_window",
            "name": record.display_name,
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"accrochage_focus_field": field} if field else {},
        }

    def _not_ready_message(self):
        """Why none of these passages can go into a deposit, counted by reason."""
        counts = {
            state: len(self.filtered(lambda p, s=state: p.state == s))
            for state in ("incomplete", "rejected", "exported", "accepted")
        }
        reasons = []
        if counts["incomplete"]:
            reasons.append(
                self.env._("%(count)s incomplete (see “To fix”)", count=counts["incomplete"])
            )
        if counts["rejected"]:
            reasons.append(
                self.env._("%(count)s rejected by the CDC (see “To fix”)", count=counts["rejected"])
            )
        if counts["exported"]:
            reasons.append(
                self.env._(
                    "%(count)s already in a file waiting for its receipt",
                    count=counts["exported"],
                )
            )
        if counts["accepted"]:
            reasons.append(
                self.env._(
                    "%(count)s accepted by the CDC (never sent again)", count=counts["accepted"]
                )
            )
        held = self.filtered(lambda p: p.state == "ready" and p.pending_deposit_id)
        if held:
            reasons.append(
                self.env._(
                    "%(count)s already in the open deposit %(deposits)s",
                    count=len(held),
                    deposits=", ".join(held.pending_deposit_id.mapped("name")),
                )
            )
        return self.env._(
            "None of the %(count)s selected passage(s) is ready to be deposited: %(reasons)s.",
            count=len(self),
            reasons="; ".join(reasons) or "?",
        )

    def action_build_deposit(self):
        deposits = self.env["accrochage.deposit"]._build_from_passages(self)
        return deposits._action_open()

    def action_new_correction_request(self):
        """Record a correction request about these passages (3 months to answer)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Correction request"),
            "res_model": "accrochage.correction.request",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_passage_ids": [(6, 0, self.ids)]},
        }

    def action_view_deposits(self):
        self.ensure_one()
        return self.deposit_ids._action_open()

    def _apply_cdc_outcome(
        self, status, message=None, category=None, hint=None, date=None, action="CREATION"
    ):
        """What the CDC said about these passages of one file, applied in one write.

        ``status`` is an outcome of :func:`accrochage.receipt.receipt_outcome`:
        ``accepted`` and ``already_recorded`` → accepted (never sent again);
        ``rejected`` and ``file_rejected`` → rejected, with the CDC's message,
        its category and the hint, in "To fix"; ``not_mentioned`` → ready
        again (nothing is recorded). Every passage leaves its open deposit.
        Only passages in a file (exported) change: an accepted passage
        stays accepted whatever a later receipt says.
        """
        if not self:
            return
        if action == "SUPPRESSION":
            return self._apply_withdrawal_outcome(status, message, category, hint, date)
        if status in ("accepted", "already_recorded"):
            vals = {
                "state": "accepted",
                "cdc_message": False,
                "cdc_category": False,
                "cdc_hint": False,
            }
        elif status in ("rejected", "file_rejected"):
            vals = {
                "state": "rejected",
                "cdc_message": message or False,
                "cdc_category": category or False,
                "cdc_hint": hint or False,
            }
        elif status == "not_mentioned":
            vals = {"state": "ready"}
        else:
            raise ValueError(f"unknown receipt outcome {status!r}")
        vals["pending_deposit_id"] = False
        if status != "not_mentioned":
            vals["cdc_date"] = date or fields.Datetime.now()
        moving = self._move(("exported", "rejected", "ready", "incomplete"), vals)
        if vals["state"] == "rejected":
            # the issue and where to fix it follow the CDC's message; for the
            # other outcomes they are what they were while exported
            for name in ("issue", "fix_target"):
                self.env.add_to_compute(self._fields[name], moving)

    def _move(self, from_states, vals):
        """Write ``vals`` on those of these passages in ``from_states``, in one UPDATE;
        the others only leave their open deposit. Returns the passages moved.

        Through the ORM, the 180,000 accepted passages of a 200,000-passage
        receipt cost 1,800 UPDATEs of 100 rows, reading their state first
        another 200 SELECTs and 15 s of attribute access (bench/bench_receipt.py):
        here the state is tested by the UPDATE itself. Nothing stored depends
        on these fields but the issue, which the caller recomputes.
        """
        if not self:
            return self
        self.flush_recordset(["state", *vals])
        assignments = SQL(", ").join(
            SQL("%s = %s", SQL.identifier(name), None if value is False else value)
            for name, value in vals.items()
        )
        self.env.cr.execute(
            SQL(
                "UPDATE accrochage_passage SET %s, write_uid = %s, "
                "write_date = now() at time zone 'UTC' "
                "WHERE id = ANY(%s) AND state = ANY(%s) RETURNING id",
                assignments,
                self.env.uid,
                self.ids,
                list(from_states),
            )
        )
        moved = self.browse(row[0] for row in self.env.cr.fetchall())
        self.env.cr.execute(
            SQL(
                "UPDATE accrochage_passage SET pending_deposit_id = NULL "
                "WHERE id = ANY(%s) AND pending_deposit_id IS NOT NULL",
                self.ids,
            )
        )
        self.invalidate_recordset([*vals, "pending_deposit_id", "write_uid", "write_date"])
        return moved

    def _apply_withdrawal_outcome(self, status, message, category, hint, date):
        """The receipt of a SUPPRESSION file (schema 1.1.5): withdrawn, or still accepted.

        Accepted (or "already" withdrawn) → withdrawn: "Replace" may send the
        corrected passage under a new idTechnique. Rejected, in a file
        rejected whole, or not mentioned → the CDC still holds the passage:
        accepted again, with the CDC's message when there is one.
        """
        vals = {"pending_deposit_id": False}
        if status in ("accepted", "already_recorded"):
            vals.update(state="withdrawn", cdc_date=date or fields.Datetime.now())
        else:
            vals.update(
                state="accepted",
                cdc_message=message or False,
                cdc_category=category or False,
                cdc_hint=hint or False,
            )
        self._move(("withdrawing",), vals)

    def _check_withdrawable(self):
        """Only accepted passages, and only with schema 1.1.5 (``flux/action``)."""
        old = self.filtered(lambda p: p._version() != "1.1.5")
        if old:
            raise UserError(
                self.env._(
                    "Schema %(version)s has no withdrawal: the Caisse des Dépôts keeps a "
                    "passage it accepted, and sending it again does not update it (general "
                    "guide V5 §4.4.3). Ask the CDC to correct or delete it through its "
                    "portal (certifiers' support), or switch to schema 1.1.5 in the settings.",
                    version=old[0]._version(),
                )
            )
        not_accepted = self.filtered(lambda p: p.state != "accepted" or p.pending_deposit_id)
        if not_accepted:
            raise UserError(
                self.env._(
                    "Only passages accepted by the Caisse des Dépôts can be withdrawn: %(names)s.",
                    names=", ".join(not_accepted.mapped("display_name")),
                )
            )

    def action_withdraw(self):
        """Build the SUPPRESSION deposit of these accepted passages (schema 1.1.5)."""
        self._check_withdrawable()
        deposits = self.env["accrochage.deposit"]._create_withdrawal(self)
        deposits._generate()
        return deposits._action_open()

    def action_replace(self):
        """A withdrawn passage, sent again corrected: a new passage, a new idTechnique.

        The new passage takes its attendee, its session and its holder again
        (the withdrawn one keeps what was sent); it is checked, then
        deposited like any ready passage.
        """
        self.ensure_one()
        if self.state != "withdrawn" or self.replaced_by_ids:
            raise UserError(
                self.env._(
                    "Only a passage the Caisse des Dépôts withdrew, and not replaced yet, "
                    "can be replaced."
                )
            )
        registration = self.registration_id
        self.registration_id = False  # the attendee now goes with the replacement
        self.flush_recordset(["registration_id"])
        new = self.copy({"replaces_id": self.id, "registration_id": registration.id})
        followed = [
            name
            for name, field in self._fields.items()
            if field.compute
            in ("_compute_from_registration", "_compute_from_session", "_compute_bloc_ids")
            or name in ("partner_id", "event_id")
        ]
        for name in followed:
            self.env.add_to_compute(self._fields[name], new)
        new._recompute_recordset(followed)
        new.action_recheck()
        body = self.env._(
            "Replaced by passage %(id)s (technical id %(technique)s).",
            id=new.id,
            technique=new.id_technique,
        )
        self.message_post(body=body)
        new.message_post(
            body=self.env._(
                "Replaces the withdrawn passage of technical id %(technique)s.",
                technique=self.id_technique,
            )
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": new.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def write(self, vals):
        if "state" in vals:
            recorded = self.filtered(lambda p: p.state in RECORDED_MOVES)
            if any(vals["state"] not in RECORDED_MOVES[p.state] for p in recorded):
                raise UserError(
                    self.env._(
                        "A passage accepted by the Caisse des Dépôts no longer changes "
                        "state: it must never be sent again."
                    )
                )
        if "id_technique" not in vals:
            return super().write(vals)
        before = self.mapped("id_technique")
        result = super().write(vals)
        self._accrochage_recheck_same_ids([*before, vals["id_technique"]])
        return result

    @api.model_create_multi
    def create(self, vals_list):
        passages = super().create(vals_list)
        passages._accrochage_recheck_same_ids(passages.mapped("id_technique"))
        return passages

    def _accrochage_recheck_same_ids(self, idents):
        """Check again the other passages that carry one of ``idents`` (trimmed):
        an id given twice blocks both passages, and a fixed one frees the other.

        Raw SQL for the reason given in :meth:`_accrochage_cross_rows`.
        """
        idents = [ident for ident in {(text or "").strip() for text in idents} if ident]
        if not idents:
            return
        self.flush_model(["id_technique"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM accrochage_passage WHERE %s = ANY(%s) AND NOT id = ANY(%s)",
                TRIMMED_ID,
                idents,
                self.ids,
            )
        )
        self.browse(row[0] for row in self.env.cr.fetchall())._accrochage_findings_to_compute()

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
        for level, due in reminder_domains(today):
            passages = self.search(
                [("state", "not in", ("accepted", "out_of_scope", "withdrawing", "withdrawn"))]
                + due
            )
            if not passages:
                continue
            vals_list = []
            for passage in passages:
                user = passage.certification_id.user_id or passage.event_id.user_id
                user = user or self.env.user
                vals_list.append(
                    {
                        "res_model_id": self.env["ir.model"]._get_id(self._name),
                        "res_id": passage.id,
                        "activity_type_id": activity_type.id if activity_type else False,
                        # stored text: in the language of whoever reads it
                        "summary": self.with_context(lang=user.lang).env._(
                            "Declare before %(date)s",
                            date=fields.Date.to_string(passage.deadline),
                        ),
                        "date_deadline": passage.deadline,
                        "user_id": user.id,
                    }
                )
            self.env["mail.activity"].create(vals_list)
            passages.write({"deadline_reminder": level})


#: reminders before a legal deadline: (days before it, level kept in deadline_reminder)
REMINDERS = ((7, "7"), (30, "30"))


def reminder_domains(today):
    """``(level, domain)`` for each reminder: the records whose deadline falls
    within its days and that were not reminded at that level yet (a record
    first seen at 7 days gets the 7-day reminder only)."""
    for days, level in REMINDERS:
        # the 30-day reminder goes to records never reminded, the 7-day one to any not at 7 yet
        pending = [("deadline_reminder", "=", False)]
        if level == "7":
            pending = [("deadline_reminder", "!=", "7")]
        window = [("deadline", ">=", today), ("deadline", "<=", today + relativedelta(days=days))]
        yield level, window + pending


def _findings_text(findings):
    """The stored form of a passage's findings (``findings_json``)."""
    return json.dumps([finding.as_dict() for finding in findings], ensure_ascii=False)


#: engine keys that are not CDC facts of the passage
SNAPSHOT_SKIP = frozenset({ADMITTED, "resultats"})


def _snapshot(facts):
    """The engine's passage as kept with its deposit line: JSON values, no NIR."""
    return json.loads(sent_json(facts))


#: what ``sent_json`` writes: ``json.dumps(…, default=str, ensure_ascii=False)``
#: without building an encoder per passage
SENT_ENCODER = json.JSONEncoder(default=str, ensure_ascii=False)


def sent_json(facts):
    """The engine's passage as stored with its deposit line (``sent_values``),
    the NIR excluded.

    Once per passage of a deposit: the few NIR keys are popped from a copy
    (same keys, same order as filtering each key) and the key set is made
    once (``_nir_keys``).
    """
    sent = dict(facts)
    for key in _nir_keys():
        sent.pop(key, None)
    return SENT_ENCODER.encode(sent)


@functools.cache
def _nir_keys():
    """The fact keys of the NIR, in any schema version."""
    from accrochage.dictionary import personal_keys

    return personal_keys("nir") | {"nir"}


def _shown(value):
    if value is None or value == "":
        return "∅"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def _escape(text):
    from markupsafe import escape

    return str(escape(text))
