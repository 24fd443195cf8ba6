import unicodedata

from odoo import api, fields, models

from ..engine import enum_selection, fact_help

RESULTS = [
    ("pending", "Pending"),
    ("admitted", "Admitted"),
    ("failed", "Failed"),
    ("absent", "Absent"),
    ("dropped", "Dropped out"),
]
#: the holder's situation after the certification (insertion rate = employed / known)
INSERTION_STATUSES = [
    ("employed_field", "Employed in the field"),
    ("employed_elsewhere", "Employed in another field"),
    ("training", "In further training"),
    ("job_seeking", "Job seeking"),
    ("unknown", "Unknown"),
]


def _name_tokens(name):
    """A person's name as a set of words, without case or accents: "Élodie Martin"
    and "MARTIN elodie" are the same person for this purpose."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(char for char in text if not unicodedata.combining(char))
    return frozenset(text.casefold().replace("-", " ").split())


def is_same_person(partner, name):
    """True when ``partner`` is a person whose name is the attendee's ``name``."""
    return bool(
        partner
        and not partner.is_company
        and name
        and _name_tokens(partner.name) == _name_tokens(name)
    )


class EventRegistration(models.Model):
    """An attendee's exam result: the facts of the passage to declare."""

    _inherit = "event.registration"

    accrochage_certification_id = fields.Many2one(related="event_id.accrochage_certification_id")
    # The booker ("Booked by") may be an employer or an OPCO booking for three
    # employees: the holder is the attendee, a contact of their own.
    accrochage_holder_id = fields.Many2one(
        "res.partner",
        "Holder",
        compute="_compute_accrochage_holder_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        ondelete="restrict",
        domain="[('is_company', '=', False)]",
        help="The person who takes the exam and whose civil status is sent to the "
        "Caisse des Dépôts. By default the booker when the booker is a person with "
        "the attendee's name; otherwise a contact made from the attendee's name, "
        "email and phone.",
    )
    accrochage_result = fields.Selection(
        RESULTS, "Exam result", default="pending", required=True, index=True
    )
    accrochage_mention = fields.Selection(
        enum_selection("mentionValidee"), "Distinction", help=fact_help("mentionValidee")
    )
    accrochage_scoring = fields.Char("Score", help=fact_help("scoring"))
    accrochage_award_date = fields.Date("Award date", help=fact_help("dateDebutValidite"))
    accrochage_validity_end = fields.Date("Validity end", help=fact_help("dateFinValidite"))
    accrochage_access_mode = fields.Selection(
        enum_selection("modaliteAcces"), "Access mode", help=fact_help("modaliteAcces")
    )
    accrochage_vae_route = fields.Selection(
        enum_selection("voieAccessVAE"), "VAE route", help=fact_help("voieAccessVAE")
    )
    accrochage_initiative = fields.Selection(
        enum_selection("initiativeInscription"),
        "Enrolment initiative",
        help=fact_help("initiativeInscription"),
    )
    accrochage_enrolment_date = fields.Date("Enrolment date", help=fact_help("dateInscription"))
    accrochage_cecrl_level = fields.Selection(
        enum_selection("niveauLangueEuropeen"),
        "Language level (CECRL)",
        help=fact_help("niveauLangueEuropeen"),
    )
    accrochage_digital_score = fields.Integer(
        "Digital score (DigComp)", help=fact_help("scoreGeneral")
    )
    accrochage_digital_result_ids = fields.One2many(
        "accrochage.digital.result", "registration_id", "Digital levels (DigComp)"
    )
    accrochage_bloc_ids = fields.Many2many(
        "accrochage.certification.bloc",
        "accrochage_registration_bloc_rel",
        "registration_id",
        "bloc_id",
        "Skill blocks obtained",
    )
    accrochage_cpf_file = fields.Char("CPF file number", help=fact_help("idDossier"))
    accrochage_passage_ids = fields.One2many("accrochage.passage", "registration_id")
    accrochage_insertion_status = fields.Selection(
        INSERTION_STATUSES,
        "Professional insertion",
        help="The holder's situation after the certification, for the insertion rate.",
    )
    accrochage_insertion_date = fields.Date(
        "Insertion survey date", help="When the holder's situation was last checked."
    )
    # The two fields above are read only by the migration into insertion
    # surveys (accrochage.insertion.survey._migrate_from_attendees), which
    # replaced them. The deadline below is the one of an admitted attendee
    # that has no passage yet: the indicators and the deadline board read it.
    accrochage_deadline = fields.Date(
        "Declaration deadline",
        compute="_compute_accrochage_deadline",
        store=True,
        help="Award date + 3 months: last day to declare the passage.",
    )
    accrochage_survey_ids = fields.One2many(
        "accrochage.insertion.survey", "registration_id", "Insertion surveys"
    )

    @api.depends("accrochage_award_date")
    def _compute_accrochage_deadline(self):
        from accrochage.deadline import deadline

        for registration in self:
            award = registration.accrochage_award_date
            registration.accrochage_deadline = award and deadline(award)

    @api.depends("partner_id", "name")
    def _compute_accrochage_holder_id(self):
        """The booker is the holder only when the booker is this person.

        A holder chosen or created for the attendee is kept when the booker
        changes to someone else.
        """
        for registration in self:
            booker = registration.partner_id
            if is_same_person(booker, registration.name):
                registration.accrochage_holder_id = booker
            elif booker and registration.accrochage_holder_id == booker:
                registration.accrochage_holder_id = False

    @api.model_create_multi
    def create(self, vals_list):
        registrations = super().create(vals_list)
        registrations.filtered("event_id.accrochage_certification_id")._accrochage_ensure_holder()
        return registrations

    def _accrochage_ensure_holder(self):
        """Give each attendee without a holder one, made from the attendee.

        A person with the same email and the same name is reused rather than
        duplicated; otherwise a contact is created from the attendee's name,
        email and phone, on which the civil status is then typed.
        """
        missing = self.filtered(lambda registration: not registration.accrochage_holder_id)
        if not missing:
            return
        Partner = self.env["res.partner"]
        emails = [email for email in missing.mapped("email") if email]
        known = (
            Partner.search([("email", "in", emails), ("is_company", "=", False)])
            if emails
            else Partner
        )
        to_create = []
        for registration in missing:
            same = known.filtered(
                lambda partner, r=registration: (
                    partner.email == r.email and is_same_person(partner, r.name)
                )
            )[:1]
            if same:
                registration.accrochage_holder_id = same
            else:
                to_create.append(registration)
        if not to_create:
            return
        holders = Partner.create(
            [
                {
                    "name": registration.name or registration.email or self.env._("Attendee"),
                    "email": registration.email,
                    "phone": registration.phone,
                }
                for registration in to_create
            ]
        )
        for registration, holder in zip(to_create, holders, strict=True):
            registration.accrochage_holder_id = holder

    @api.model
    def _accrochage_migrate_holders(self):
        """Fill the holder of attendees made before it existed (migration 19.0.1.1.0).

        Before, a passage was built on the booker. That identity is kept when
        it is the attendee's own, and when the passage was already sent (it is
        what the CDC received); otherwise the attendee gets a holder of their
        own, and the passage, which follows it, waits in "To fix" for the
        civil status.
        """
        registrations = self.with_context(active_test=False).search(
            [
                ("accrochage_holder_id", "=", False),
                "|",
                ("accrochage_passage_ids", "!=", False),
                ("event_id.accrochage_certification_id", "!=", False),
            ]
        )
        for registration in registrations:
            passage = registration.accrochage_passage_ids[:1]
            sent = passage.state in ("exported", "accepted")
            if passage and (sent or is_same_person(passage.partner_id, registration.name)):
                registration.accrochage_holder_id = passage.partner_id
            elif is_same_person(registration.partner_id, registration.name):
                registration.accrochage_holder_id = registration.partner_id
        registrations._accrochage_ensure_holder()
        return registrations

    def action_open_accrochage_holder(self):
        """The holder's civil status, on the contact's Certification tab."""
        self.ensure_one()
        self._accrochage_ensure_holder()
        return self.accrochage_holder_id._accrochage_action_open()

    def _accrochage_create_passages(self):
        """Create the passages of these attendees in one batch, for their holders."""
        self._accrochage_ensure_holder()
        vals_list = [
            {
                "registration_id": registration.id,
                "partner_id": registration.accrochage_holder_id.id,
                "certification_id": registration.event_id.accrochage_certification_id.id,
                "company_id": (registration.event_id.company_id or registration.env.company).id,
            }
            for registration in self
        ]
        return (
            self.env["accrochage.passage"]
            .with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
            .create(vals_list)
        )
