import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from .accrochage_partner_habilitation import HABILITATION_STATES

PARTNER_GROUP = "accrochage_certificateur.group_accrochage_partner"
#: days an API key is valid unless the manager says otherwise
DEFAULT_KEY_DAYS = 90
#: the NDA (numéro de déclaration d'activité) of a training organisation
NDA_LENGTH = 11


class AccrochagePartnerOrganisation(models.Model):
    """A training organisation that prepares or assesses candidates for the
    certifier (sous-traitance, co-délivrance) and pushes their results."""

    _name = "accrochage.partner.organisation"
    _description = "Partner organisation"
    _check_company_auto = True
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name"

    partner_id = fields.Many2one(
        "res.partner",
        "Organisation",
        required=True,
        index=True,
        ondelete="restrict",
        domain=[("is_company", "=", True)],
        tracking=True,
    )
    name = fields.Char(related="partner_id.name", store=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    siret = fields.Char(
        "SIRET",
        related="partner_id.company_registry",
        readonly=False,
        help="14 digits, checked by l10n_fr_siret (SIRENE key) on the company.",
    )
    nda = fields.Char(
        "Activity declaration number (NDA)",
        size=NDA_LENGTH,
        tracking=True,
        help="Numéro de déclaration d'activité of the training organisation: 11 digits, "
        "given by the DREETS.",
    )
    contact_ids = fields.Many2many(
        "res.partner",
        "accrochage_partner_organisation_contact_rel",
        "organisation_id",
        "partner_id",
        "Contacts",
        domain="[('parent_id', '=', partner_id)]",
    )
    habilitation_ids = fields.One2many(
        "accrochage.partner.habilitation", "organisation_id", "Habilitations"
    )
    state = fields.Selection(
        HABILITATION_STATES,
        compute="_compute_state",
        store=True,
        help="Active while one habilitation is active.",
    )
    user_id = fields.Many2one(
        "res.users",
        "Technical user",
        readonly=True,
        copy=False,
        ondelete="restrict",
        help="The user the partner's system signs in as with its API key; it only "
        "reaches this organisation's passages.",
    )
    api_key_days = fields.Integer(
        "API key validity (days)",
        default=DEFAULT_KEY_DAYS,
        help="A new key expires after these days; rotate it before.",
    )
    api_key_count = fields.Integer("Active API keys", compute="_compute_api_keys")
    api_key_expiration = fields.Datetime("API key expires on", compute="_compute_api_keys")
    passage_ids = fields.One2many("accrochage.passage", "partner_organisation_id", "Passages")
    passage_received_count = fields.Integer("Received", compute="_compute_passage_counts")
    passage_accepted_count = fields.Integer("Accepted", compute="_compute_passage_counts")
    passage_rejected_count = fields.Integer("Rejected", compute="_compute_passage_counts")

    _partner_company_uniq = models.Constraint(
        "UNIQUE(partner_id, company_id)", "This company is already a partner organisation."
    )

    @api.depends("habilitation_ids.state")
    def _compute_state(self):
        order = ["active", "suspended", "draft", "ended"]
        for organisation in self:
            states = set(organisation.habilitation_ids.mapped("state"))
            organisation.state = next((state for state in order if state in states), "draft")

    @api.depends("user_id")
    def _compute_api_keys(self):
        keys = self.env["res.users.apikeys"].sudo()
        for organisation in self:
            found = (
                keys.search(
                    [
                        ("user_id", "=", organisation.user_id.id),
                        "|",
                        ("expiration_date", "=", False),
                        ("expiration_date", ">=", fields.Datetime.now()),
                    ]
                )
                if organisation.user_id
                else keys
            )
            organisation.api_key_count = len(found)
            dates = [date for date in found.mapped("expiration_date") if date]
            organisation.api_key_expiration = max(dates) if dates else False

    def _compute_passage_counts(self):
        counts = {
            (organisation, state): count
            for organisation, state, count in self.env["accrochage.passage"]._read_group(
                [("partner_organisation_id", "in", self.ids)],
                ["partner_organisation_id", "state"],
                ["__count"],
            )
        }
        for organisation in self:
            organisation.passage_received_count = sum(
                count for (org, _state), count in counts.items() if org == organisation
            )
            organisation.passage_accepted_count = counts.get((organisation, "accepted"), 0)
            organisation.passage_rejected_count = counts.get((organisation, "rejected"), 0)

    @api.constrains("nda")
    def _check_nda(self):
        for organisation in self:
            nda = (organisation.nda or "").replace(" ", "")
            if nda and (len(nda) != NDA_LENGTH or not nda.isdigit()):
                raise ValidationError(
                    self.env._(
                        "The activity declaration number (NDA) of %(name)s must have "
                        "exactly 11 digits (as on the DREETS receipt); “%(nda)s” does not.",
                        name=organisation.name,
                        nda=organisation.nda,
                    )
                )

    @api.constrains("partner_id")
    def _check_siret(self):
        from accrochage import siret
        from accrochage.exceptions import VALUE_ERRORS

        for organisation in self:
            number = organisation.partner_id.company_registry
            if not number:
                continue
            try:
                siret.validate(number)
            except VALUE_ERRORS as error:
                raise ValidationError(
                    self.env._("%(name)s: %(error)s", name=organisation.name, error=str(error))
                ) from None

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("nda"):
                vals["nda"] = vals["nda"].replace(" ", "")
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("nda"):
            vals["nda"] = vals["nda"].replace(" ", "")
        result = super().write(vals)
        if "siret" in vals:
            self._check_siret()
        return result

    # ------------------------------------------------------------------
    # access by API key
    # ------------------------------------------------------------------
    def _check_manager(self):
        if not self.env.user.has_group("accrochage_certificateur.group_accrochage_manager"):
            raise UserError(self.env._("Only a certification manager manages API access."))

    def _ensure_user(self):
        """The technical user of this organisation, created when missing."""
        self.ensure_one()
        self._check_manager()
        if self.user_id:
            return self.user_id
        group = self.env.ref(PARTNER_GROUP)
        portal = self.env.ref("base.group_portal")
        user = (
            self.env["res.users"]
            .sudo()
            .with_context(no_reset_password=True, mail_create_nosubscribe=True)
            .create(
                {
                    "name": self.env._("%(name)s (API)", name=self.name),
                    "login": f"accrochage-partenaire-{self.id}-{secrets.token_hex(4)}",
                    "parent_id": self.partner_id.id,
                    # the partner reads the API's errors in the certifier's language
                    "lang": self.env.user.lang or "en_US",
                    "company_id": self.company_id.id,
                    "company_ids": [fields.Command.set(self.company_id.ids)],
                    "group_ids": [fields.Command.set([portal.id, group.id])],
                }
            )
        )
        self.sudo().user_id = user
        self.message_post(body=self.env._("Technical user created for API access."))
        return user

    def _user_keys(self):
        return self.env["res.users.apikeys"].sudo().search([("user_id", "=", self.user_id.id)])

    def action_generate_api_key(self):
        """A new API key for the partner, shown once; the older ones keep working
        until revoked (rotate: generate, give it, then revoke the old ones)."""
        self.ensure_one()
        user = self._ensure_user()
        if self.state != "active":
            raise UserError(
                self.env._(
                    "Activate a habilitation of %(name)s before giving it an API key.",
                    name=self.name,
                )
            )
        days = self.api_key_days if self.api_key_days > 0 else DEFAULT_KEY_DAYS
        expiration = fields.Datetime.now() + timedelta(days=days)
        key = (
            self.env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate(None, self.env._("Accrochage partner access"), expiration)
        )
        self.message_post(
            body=self.env._(
                "API key generated, valid until %(date)s.",
                date=fields.Datetime.to_string(expiration),
            )
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.users.apikeys.show",
            "name": self.env._(
                "API key of %(name)s: copy it now, it is shown once", name=self.name
            ),
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_key": key},
        }

    def action_rotate_api_key(self):
        """Revoke every key of the partner and give it a new one."""
        self.ensure_one()
        self._check_manager()
        old = self._user_keys() if self.user_id else self.env["res.users.apikeys"]
        action = self.action_generate_api_key()
        old._remove()
        self.message_post(body=self.env._("%(count)s previous API key(s) revoked.", count=len(old)))
        return action

    def action_revoke_api_keys(self):
        """Revoke every API key of the partner: its next call is refused."""
        self._check_manager()
        for organisation in self:
            keys = organisation._user_keys() if organisation.user_id else None
            if keys:
                keys._remove()
                organisation.message_post(
                    body=self.env._("%(count)s API key(s) revoked.", count=len(keys))
                )
        return True

    def action_view_passages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "accrochage_certificateur.accrochage_passage_action"
        )
        action["domain"] = [("partner_organisation_id", "=", self.id)]
        action["context"] = {"default_partner_organisation_id": self.id}
        return action

    def _log_exchange(self, body, apart=False):
        """One chatter line per exchange: counts only, never personal data.

        ``apart``: the request is about to be refused, and its transaction
        rolled back: the line is written in a transaction of its own.
        """
        if apart and request:
            with self.env.registry.cursor() as cr:
                self.with_env(self.env(cr=cr, su=True)).message_post(
                    body=body, message_type="notification"
                )
            return
        self.sudo().message_post(body=body, message_type="notification")
