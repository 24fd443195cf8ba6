import datetime
import secrets

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

#: the two surveys of a holder; their delays (months after the award) are
#: company settings, 6 and 12 by default
WAVES = [("first", "First survey"), ("second", "Second survey")]
STATUSES = [
    ("to_send", "To send"),
    ("sent", "Sent"),
    ("answered", "Answered"),
    ("no_answer", "No answer"),
]
SITUATIONS = [
    ("employed_field", "Employed in the certification's field"),
    ("employed_elsewhere", "Employed in another field"),
    ("training", "In further training"),
    ("job_seeking", "Job seeking"),
    ("inactive", "Inactive"),
]
#: situations counted as employed by the insertion rate
EMPLOYED = ("employed_field", "employed_elsewhere")
#: statuses of a survey that was put to the holder (the answer rate's denominator)
ASKED = ("sent", "answered", "no_answer")
SOURCES = [
    ("form", "Online form"),
    ("survey", "Odoo survey"),
    ("staff", "Typed by staff"),
    ("import", "Import"),
    ("attendee", "Attendee record (before surveys)"),
]
#: a survey is planned only while its due date is this recent: a module
#: installed on years of history does not ask 2019 holders about "6 months"
PLANNING_WINDOW_DAYS = 90


class AccrochageInsertionSurvey(models.Model):
    """What became of a holder some months after the award: one survey per wave.

    Created by the daily cron when a wave is due, sent by email with a link to
    a public one-page form (or to Odoo's survey app, with the bridge module
    ``accrochage_certificateur_survey``); the answer comes from that form,
    from staff typing an email or phone reply, or from an import. Every door
    records it through :meth:`_record_answer`.
    """

    _name = "accrochage.insertion.survey"
    _description = "Insertion survey"
    _inherit = ["mail.thread"]
    _check_company_auto = True
    _order = "due_date desc, id desc"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    passage_id = fields.Many2one(
        "accrochage.passage",
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
        help="The award this survey follows up.",
    )
    registration_id = fields.Many2one(
        "event.registration", "Attendee", index="btree_not_null", ondelete="set null"
    )
    partner_id = fields.Many2one(
        "res.partner", "Holder", required=True, index=True, ondelete="restrict"
    )
    email = fields.Char(related="partner_id.email")
    certification_id = fields.Many2one(
        "accrochage.certification",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    award_date = fields.Date(required=True)
    wave = fields.Selection(WAVES, required=True, default="first")
    delay_months = fields.Integer(
        "Delay (months)", required=True, default=6, help="Months between the award and the survey."
    )
    due_date = fields.Date(compute="_compute_due_date", store=True, index=True)
    status = fields.Selection(
        STATUSES, default="to_send", required=True, index=True, tracking=True, copy=False
    )
    sent_date = fields.Datetime(readonly=True, copy=False)
    situation = fields.Selection(SITUATIONS, tracking=True, copy=False)
    answer_date = fields.Date(copy=False)
    source = fields.Selection(SOURCES, copy=False, help="How the answer reached us.")
    comment = fields.Text(copy=False)
    access_token = fields.Char(
        default=lambda self: secrets.token_urlsafe(32),
        copy=False,
        readonly=True,
        groups="accrochage_certificateur.group_accrochage_user",
    )
    # 0/1 per survey, summed by the analyses: each fact defined once, here
    sent_count = fields.Integer(
        "Sent", compute="_compute_counts", store=True, help="Surveys put to the holder."
    )
    answered_count = fields.Integer("Answered", compute="_compute_counts", store=True)
    employed_count = fields.Integer(
        "Employed",
        compute="_compute_counts",
        store=True,
        help="Answers: employed, in the certification's field or elsewhere.",
    )
    employed_field_count = fields.Integer(
        "Employed in the field", compute="_compute_counts", store=True
    )

    _answered_has_situation = models.Constraint(
        "CHECK(status != 'answered' OR situation IS NOT NULL)",
        "An answered survey says what the holder's situation is.",
    )
    _passage_wave_uniq = models.UniqueIndex(
        "(passage_id, wave) WHERE passage_id IS NOT NULL",
        "This award already has a survey for this wave.",
    )

    @api.depends("partner_id", "certification_id", "delay_months")
    def _compute_display_name(self):
        for survey in self:
            survey.display_name = self.env._(
                "%(holder)s — %(code)s — %(months)s months",
                holder=survey.partner_id.name or "",
                code=survey.certification_id.code or "",
                months=survey.delay_months,
            )

    @api.depends("award_date", "delay_months")
    def _compute_due_date(self):
        from accrochage.deadline import add_months

        for survey in self:
            survey.due_date = survey.award_date and add_months(
                survey.award_date, survey.delay_months
            )

    @api.depends("status", "situation")
    def _compute_counts(self):
        for survey in self:
            answered = survey.status == "answered"
            survey.sent_count = int(survey.status in ASKED)
            survey.answered_count = int(answered)
            survey.employed_count = int(answered and survey.situation in EMPLOYED)
            survey.employed_field_count = int(answered and survey.situation == "employed_field")

    # ------------------------------------------------------------------
    # answers
    # ------------------------------------------------------------------
    def write(self, vals):
        """Typing or importing a situation records an answer; clearing it undoes it."""
        if "situation" in vals and "status" not in vals:
            if not vals["situation"]:
                vals = dict(vals, source=False, answer_date=False)
                sent = self.filtered("sent_date")
                super(AccrochageInsertionSurvey, sent).write(dict(vals, status="sent"))
                return super(AccrochageInsertionSurvey, self - sent).write(
                    dict(vals, status="to_send")
                )
            source = "import" if self.env.context.get("import_file") else "staff"
            vals = {
                "status": "answered",
                "source": source,
                "answer_date": fields.Date.context_today(self),
                **vals,
            }
        return super().write(vals)

    def _record_answer(self, situation, source, answer_date=None, comment=None):
        """Record the holder's answer: the one path of every door (form, staff, survey app)."""
        if situation not in dict(SITUATIONS):
            raise UserError(
                self.env._("“%(value)s” is not a known situation.", value=situation or "")
            )
        vals = {
            "status": "answered",
            "situation": situation,
            "source": source,
            "answer_date": answer_date or fields.Date.context_today(self),
        }
        if comment:
            vals["comment"] = comment
        self.write(vals)

    @api.private
    def get_answer_url(self):
        """The link the holder answers through (the survey app's, with the bridge module)."""
        self.ensure_one()
        token = self.sudo().access_token
        return f"{self.get_base_url()}/accrochage/insertion/{self.id}/{token}"

    # ------------------------------------------------------------------
    # sending
    # ------------------------------------------------------------------
    def action_send(self):
        """Email the survey link to the holders that have an email address."""
        sendable = self.filtered(lambda s: s.status in ("to_send", "sent", "no_answer"))
        without_email = sendable.filtered(lambda survey: not survey.partner_id.email)
        if without_email and len(self) == 1:
            raise UserError(
                self.env._(
                    "%(holder)s has no email address: add one on the contact, or ask by "
                    "phone and type the answer in.",
                    holder=without_email.partner_id.name,
                )
            )
        (sendable - without_email)._send_invitations()
        return True

    def _send_invitations(self):
        template = self.env.ref(
            "accrochage_certificateur.mail_template_insertion_survey", raise_if_not_found=False
        )
        if not self or not template:
            return
        for survey in self:
            template.send_mail(survey.id, email_layout_xmlid="mail.mail_notification_light")
        self.write({"status": "sent", "sent_date": fields.Datetime.now()})
        for survey in self:
            survey.message_post(
                body=self.env._("Survey sent to %(email)s.", email=survey.partner_id.email or ""),
                message_type="notification",
            )

    # ------------------------------------------------------------------
    # cron
    # ------------------------------------------------------------------
    @api.model
    def _plan_surveys(self, today=None):
        """Create the surveys that are due: one per award and wave, once.

        An award is a passage of an admitted holder (or typed or imported
        without an attendee). A wave is due ``delay`` months after the award
        (the engine's calendar-month arithmetic) and planned only while it is
        at most :data:`PLANNING_WINDOW_DAYS` days overdue.
        """
        from accrochage.deadline import add_months

        today = today or fields.Date.context_today(self)
        window_start = today - datetime.timedelta(days=PLANNING_WINDOW_DAYS)
        Passage = self.env["accrochage.passage"]
        vals_list = []
        awarded = [("award_date", "!=", False), ("award_date", "<=", today)]
        for (company,) in Passage._read_group(awarded, ["company_id"]):
            for wave, months in company._accrochage_survey_delays().items():
                domain = Domain(
                    [
                        ("company_id", "=", company.id),
                        ("award_date", "!=", False),
                        ("award_date", "<=", add_months(today, -months)),
                        ("award_date", ">=", add_months(window_start, -months - 1)),
                    ]
                ) & (
                    Domain("registration_id", "=", False)
                    | Domain("registration_id.accrochage_result", "=", "admitted")
                )
                passages = Passage.search(domain)
                planned = self.search(
                    [("passage_id", "in", passages.ids), ("wave", "=", wave)]
                ).passage_id
                for passage in passages - planned:
                    if window_start <= add_months(passage.award_date, months) <= today:
                        vals_list.append(self._vals_from_passage(passage, wave, months))
        return self.create(vals_list)

    @api.model
    def _vals_from_passage(self, passage, wave, months):
        return {
            "company_id": passage.company_id.id,
            "passage_id": passage.id,
            "registration_id": passage.registration_id.id,
            "partner_id": passage.partner_id.id,
            "certification_id": passage.certification_id.id,
            "award_date": passage.award_date,
            "wave": wave,
            "delay_months": months,
        }

    @api.model
    def _close_unanswered(self, today=None):
        """Sent surveys left unanswered for the company's delay become "no answer"."""
        today = today or fields.Date.context_today(self)
        closed = self.browse()
        for (company,) in self._read_group([("status", "=", "sent")], ["company_id"]):
            days = company.accrochage_survey_answer_days or 30
            limit = datetime.datetime.combine(
                today - datetime.timedelta(days=days), datetime.time.max
            )
            closed |= self.search(
                [
                    ("company_id", "=", company.id),
                    ("status", "=", "sent"),
                    ("sent_date", "<=", limit),
                ]
            )
        closed.write({"status": "no_answer"})
        return closed

    @api.model
    def _cron_insertion_surveys(self):
        """Plan the due surveys, send them where the company says so, close the unanswered."""
        cron = self.env["ir.cron"]
        planned = self._plan_surveys()
        cron._commit_progress(len(planned))
        to_send = self.search(
            [
                ("status", "=", "to_send"),
                ("partner_id.email", "!=", False),
                ("company_id.accrochage_survey_auto_send", "=", True),
            ]
        )
        for batch in (to_send[i : i + 100] for i in range(0, len(to_send), 100)):
            batch._send_invitations()
            cron._commit_progress(len(batch))
        closed = self._close_unanswered()
        cron._commit_progress(len(closed))

    # ------------------------------------------------------------------
    # migration of the attendee's manual insertion field
    # ------------------------------------------------------------------
    @api.model
    def _migrate_from_attendees(self):
        """Turn the attendees' hand-typed insertion status into answered surveys.

        Before surveys existed, staff typed a status and a date on the
        attendee. Each known status becomes an answered survey (source
        "attendee") of the wave whose delay is nearest to the date typed;
        "unknown" carries no answer and is left out. Safe to run twice.
        """
        registrations = self.env["event.registration"].search(
            [
                ("accrochage_insertion_status", "not in", [False, "unknown"]),
                ("event_id.accrochage_certification_id", "!=", False),
            ]
        )
        existing = {
            (survey.registration_id, survey.wave)
            for survey in self.search([("registration_id", "in", registrations.ids)])
        }
        vals_list = []
        for registration in registrations:
            passage = registration.accrochage_passage_ids[:1]
            award = registration.accrochage_award_date or passage.award_date
            if not award:
                continue
            company = registration.event_id.company_id or self.env.company
            delays = company._accrochage_survey_delays()
            wave = _nearest_wave(delays, award, registration.accrochage_insertion_date)
            if (registration, wave) in existing:
                continue
            vals_list.append(
                {
                    "company_id": company.id,
                    "passage_id": passage.id,
                    "registration_id": registration.id,
                    "partner_id": registration.partner_id.id,
                    "certification_id": registration.event_id.accrochage_certification_id.id,
                    "award_date": award,
                    "wave": wave,
                    "delay_months": delays[wave],
                    "status": "answered",
                    "situation": registration.accrochage_insertion_status,
                    "source": "attendee",
                    "answer_date": registration.accrochage_insertion_date or award,
                }
            )
        return self.create(vals_list)


def _nearest_wave(delays, award, answer_date):
    """The wave whose delay is nearest to the time between award and answer.

    >>> delays = {"first": 6, "second": 12}
    >>> award = datetime.date(2025, 1, 10)
    >>> _nearest_wave(delays, award, datetime.date(2025, 8, 1))
    'first'
    >>> _nearest_wave(delays, award, datetime.date(2026, 2, 1))
    'second'
    >>> _nearest_wave(delays, award, None)
    'first'
    """
    if not answer_date:
        return "first"
    months = (answer_date.year - award.year) * 12 + answer_date.month - award.month
    return min(delays, key=lambda wave: abs(delays[wave] - months))
