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


class EventRegistration(models.Model):
    """An attendee's exam result: the facts of the passage to declare."""

    _inherit = "event.registration"

    accrochage_certification_id = fields.Many2one(related="event_id.accrochage_certification_id")
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

    def _accrochage_create_passages(self):
        """Create the passages of these attendees in one batch.

        An attendee registered without a contact gets one (name, email,
        phone): the holder's civil status is then completed on it.
        """
        anonymous = self.filtered(lambda registration: not registration.partner_id)
        if anonymous:
            partners = self.env["res.partner"].create(
                [
                    {
                        "name": registration.name or registration.email or "?",
                        "email": registration.email,
                        "phone": registration.phone,
                    }
                    for registration in anonymous
                ]
            )
            for registration, partner in zip(anonymous, partners, strict=True):
                registration.partner_id = partner
        vals_list = [
            {
                "registration_id": registration.id,
                "partner_id": registration.partner_id.id,
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
