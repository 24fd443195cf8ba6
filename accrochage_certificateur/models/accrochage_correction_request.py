from odoo import api, fields, models
from odoo.exceptions import UserError

from .accrochage_passage import reminder_domains

SOURCES = [
    ("holder", "Holder"),
    ("cdc", "Caisse des Dépôts"),
    ("internal", "Internal check"),
]
STATES = [
    ("open", "Open"),
    ("corrected", "Corrected"),
    ("unfounded", "Unfounded"),
    ("cancelled", "Cancelled"),
]


class AccrochageCorrectionRequest(models.Model):
    """A request to correct passages already sent, and the legal delay to answer it.

    Décret n° 2024-1236 of 30 December 2024: when the Caisse des Dépôts
    finds an error, or a holder asks for a correction, the certifier has
    three months from the request to send the corrected data or to explain
    why the request is unfounded. The deadline comes from the engine
    (:func:`accrochage.deadline.correction_deadline`); the request is closed
    as corrected (with the correcting deposit), unfounded (with the written
    justification) or cancelled.
    """

    _name = "accrochage.correction.request"
    _description = "Correction request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "is_open desc, deadline, id desc"
    _check_company_auto = True

    name = fields.Char(
        required=True, readonly=True, copy=False, default=lambda self: self.env._("New")
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    source = fields.Selection(
        SOURCES,
        required=True,
        default="holder",
        tracking=True,
        help="Who asked: the holder, the Caisse des Dépôts, or your own check.",
    )
    received_date = fields.Date(
        "Received on",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="The day the request arrived: the 3-month delay starts then.",
    )
    deadline = fields.Date(
        compute="_compute_deadline",
        store=True,
        index=True,
        help="Received date + 3 months (décret n° 2024-1236): last day to send the corrected "
        "data or to explain why the request is unfounded.",
    )
    passage_ids = fields.Many2many(
        "accrochage.passage",
        "accrochage_correction_request_passage_rel",
        "request_id",
        "passage_id",
        "Passages",
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Holder",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        index="btree_not_null",
    )
    description = fields.Html("Request", help="What is asked, as received.")
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "accrochage_correction_request_attachment_rel",
        "request_id",
        "attachment_id",
        "Documents",
    )
    user_id = fields.Many2one(
        "res.users",
        "Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    state = fields.Selection(
        STATES, default="open", required=True, readonly=True, index=True, tracking=True, copy=False
    )
    is_open = fields.Boolean(compute="_compute_is_open", store=True)
    is_overdue = fields.Boolean(
        "Overdue", compute="_compute_is_overdue", search="_search_is_overdue"
    )
    correcting_deposit_id = fields.Many2one(
        "accrochage.deposit",
        "Correcting deposit",
        tracking=True,
        copy=False,
        check_company=True,
        help="The deposit that sends the corrected data.",
    )
    justification = fields.Text(
        "Why unfounded",
        copy=False,
        help="Required to close the request as unfounded: the answer given to the requester.",
    )
    closed_date = fields.Date("Closed on", readonly=True, copy=False)
    deadline_reminder = fields.Selection(
        [("30", "30 days"), ("7", "7 days")], readonly=True, copy=False
    )

    _unfounded_justified = models.Constraint(
        "CHECK(state != 'unfounded' OR length(btrim(coalesce(justification, ''))) > 0)",
        "A request closed as unfounded needs its written justification.",
    )
    _corrected_has_deposit = models.Constraint(
        "CHECK(state != 'corrected' OR correcting_deposit_id IS NOT NULL)",
        "A corrected request names the deposit that sent the corrected data.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "accrochage.correction.request"
                ) or self.env._("New")
        return super().create(vals_list)

    @api.depends("received_date")
    def _compute_deadline(self):
        from accrochage.deadline import correction_deadline

        for request in self:
            request.deadline = request.received_date and correction_deadline(request.received_date)

    @api.depends("passage_ids.partner_id")
    def _compute_partner_id(self):
        for request in self:
            if request.passage_ids and not request.partner_id:
                request.partner_id = request.passage_ids[:1].partner_id

    @api.depends("state")
    def _compute_is_open(self):
        for request in self:
            request.is_open = request.state == "open"

    @api.depends("state", "deadline")
    @api.depends_context("tz")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for request in self:
            request.is_overdue = bool(
                request.state == "open" and request.deadline and request.deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on “Overdue”."))
        overdue = [
            ("state", "=", "open"),
            ("deadline", "<", fields.Date.context_today(self)),
        ]
        if (operator == "=") == value:
            return overdue
        return ["!", "&", *overdue]

    # ------------------------------------------------------------------
    # closing
    # ------------------------------------------------------------------
    def _ensure_open(self):
        for request in self:
            if request.state != "open":
                raise UserError(
                    self.env._(
                        "Request %(name)s is already closed: reopen it first.",
                        name=request.name,
                    )
                )

    def _close(self, state, body):
        self.write({"state": state, "closed_date": fields.Date.context_today(self)})
        self.activity_unlink(["accrochage_certificateur.mail_activity_type_accrochage_correction"])
        for request in self:
            request.message_post(body=body)

    def action_build_correction(self):
        """Deposit the corrected passages: the deposit is linked to the request.

        Passages the CDC rejected, or never received, go into a new deposit
        once corrected and ready. A passage the CDC accepted is not updated
        by sending its idTechnique again (general guide V5 §4.4.3).
        """
        self.ensure_one()
        self._ensure_open()
        if not self.passage_ids:
            raise UserError(self.env._("Add the passage(s) to correct to the request first."))
        passages = self._to_deposit()
        accepted = passages.filtered(lambda p: p.state == "accepted")
        if accepted and all(p._version() == "1.1.5" for p in accepted):
            # 1.1.5: withdraw first; once accepted, "Replace" each, then come back
            deposits = self.env["accrochage.deposit"]._create_withdrawal(accepted)
            deposits._generate()
            self.message_post(
                body=self.env._(
                    "Withdrawal deposit %(deposit)s built: once the CDC has accepted it, "
                    "click “Replace” on each passage, correct it, then build the correcting "
                    "deposit here.",
                    deposit=deposits[:1].name,
                )
            )
            return deposits._action_open()
        if accepted:
            raise UserError(
                self.env._(
                    "%(names)s: already recorded by the Caisse des Dépôts, which does not "
                    "update a passage sent again under the same technical id (general guide "
                    "V5 §4.4.3). With schema 1.1.2, ask the CDC for the correction through "
                    "its portal (certifiers' support), then link the deposit or close the "
                    "request with the CDC's answer as justification.",
                    names=", ".join(accepted.mapped("display_name")),
                )
            )
        not_ready = passages.filtered(lambda p: p.state != "ready")
        if not_ready:
            raise UserError(
                self.env._(
                    "Correct these passages first, then click “Check again” on each: %(names)s.",
                    names=", ".join(f"{p.display_name} ({p.issue or p.state})" for p in not_ready),
                )
            )
        deposits = self.env["accrochage.deposit"]._build_from_passages(passages)
        self.correcting_deposit_id = deposits[:1]
        self.message_post(
            body=self.env._("Correcting deposit %(deposit)s built.", deposit=deposits[:1].name)
        )
        return deposits._action_open()

    def _to_deposit(self):
        """The passages that carry the correction: a withdrawn passage's replacement."""
        self.ensure_one()
        passages = self.env["accrochage.passage"]
        for passage in self.passage_ids:
            passages |= passage.replaced_by_ids[-1:] or passage
        return passages

    def action_mark_corrected(self):
        self._ensure_open()
        missing = self.filtered(lambda r: not r.correcting_deposit_id)
        if missing:
            raise UserError(
                self.env._(
                    "Request %(name)s: name the correcting deposit first (“Build the "
                    "correcting deposit”, or pick it in the field).",
                    name=missing[0].name,
                )
            )
        for request in self:
            request._close(
                "corrected",
                self.env._(
                    "Closed as corrected by deposit %(deposit)s.",
                    deposit=request.correcting_deposit_id.name,
                ),
            )
        return True

    def action_mark_unfounded(self):
        self._ensure_open()
        missing = self.filtered(lambda r: not (r.justification or "").strip())
        if missing:
            raise UserError(
                self.env._(
                    "Request %(name)s: write why it is unfounded in “Why unfounded” (the "
                    "answer given to the requester) before closing it.",
                    name=missing[0].name,
                )
            )
        self._close("unfounded", self.env._("Closed as unfounded."))
        return True

    def action_cancel(self):
        self._ensure_open()
        self._close("cancelled", self.env._("Request cancelled."))
        return True

    def action_reopen(self):
        closed = self.filtered(lambda r: r.state != "open")
        closed.write({"state": "open", "closed_date": False})
        for request in closed:
            request.message_post(body=self.env._("Request reopened."))
        return True

    @api.model
    def _close_corrected_by(self, deposits):
        """Requests whose correcting deposit got every passage accepted are corrected."""
        requests = self.search(
            [("state", "=", "open"), ("correcting_deposit_id", "in", deposits.ids)]
        )
        done = requests.filtered(
            lambda r: r.passage_ids and all(p.state == "accepted" for p in r._to_deposit())
        )
        for request in done:
            request._close(
                "corrected",
                self.env._(
                    "Corrected: the Caisse des Dépôts accepted the passages of deposit "
                    "%(deposit)s.",
                    deposit=request.correcting_deposit_id.name,
                ),
            )
        return done

    # ------------------------------------------------------------------
    # cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_correction_reminders(self):
        """An activity for the responsible 30 and 7 days before each open deadline."""
        today = fields.Date.context_today(self)
        activity_type = self.env.ref(
            "accrochage_certificateur.mail_activity_type_accrochage_correction",
            raise_if_not_found=False,
        )
        for level, due in reminder_domains(today):
            requests = self.search([("state", "=", "open")] + due)
            for request in requests:
                user = request.user_id or self.env.user
                request.activity_schedule(
                    activity_type_id=activity_type.id if activity_type else False,
                    date_deadline=request.deadline,
                    user_id=user.id,
                    # stored text: in the language of whoever reads it
                    summary=self.with_context(lang=user.lang).env._(
                        "Answer the correction request before %(date)s (%(days)s days left)",
                        date=fields.Date.to_string(request.deadline),
                        days=(request.deadline - today).days,
                    ),
                )
            requests.write({"deadline_reminder": level})
