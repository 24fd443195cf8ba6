from odoo import api, fields, models

CRON_XMLID = "accrochage_certificateur.ir_cron_accrochage_build_deposits"
MANAGER = "accrochage_certificateur.group_accrochage_manager"


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    accrochage_id_client = fields.Char(related="company_id.accrochage_id_client", readonly=False)
    accrochage_schema_version = fields.Selection(
        related="company_id.accrochage_schema_version", readonly=False
    )
    accrochage_strict = fields.Boolean(related="company_id.accrochage_strict", readonly=False)
    accrochage_xsd_file = fields.Binary(related="company_id.accrochage_xsd_file", readonly=False)
    accrochage_xsd_filename = fields.Char(
        related="company_id.accrochage_xsd_filename", readonly=False
    )
    accrochage_transport_url = fields.Char(
        related="company_id.accrochage_transport_url", readonly=False
    )
    accrochage_transport_token = fields.Char(
        related="company_id.accrochage_transport_token", readonly=False, groups=MANAGER
    )
    accrochage_transport_ca = fields.Text(
        related="company_id.accrochage_transport_ca", readonly=False, groups=MANAGER
    )
    accrochage_transport_client_cert = fields.Text(
        related="company_id.accrochage_transport_client_cert", readonly=False, groups=MANAGER
    )
    accrochage_partner_max_candidates = fields.Integer(
        related="company_id.accrochage_partner_max_candidates", readonly=False
    )
    accrochage_partner_max_bytes = fields.Integer(
        related="company_id.accrochage_partner_max_bytes", readonly=False
    )
    accrochage_certifier_url = fields.Char(
        related="company_id.accrochage_certifier_url", readonly=False
    )
    accrochage_certifier_database = fields.Char(
        related="company_id.accrochage_certifier_database", readonly=False
    )
    accrochage_certifier_api_key = fields.Char(
        related="company_id.accrochage_certifier_api_key", readonly=False, groups=MANAGER
    )
    accrochage_deposit_batch = fields.Integer(
        related="company_id.accrochage_deposit_batch", readonly=False
    )
    accrochage_survey_first_months = fields.Integer(
        related="company_id.accrochage_survey_first_months", readonly=False
    )
    accrochage_survey_second_months = fields.Integer(
        related="company_id.accrochage_survey_second_months", readonly=False
    )
    accrochage_survey_answer_days = fields.Integer(
        related="company_id.accrochage_survey_answer_days", readonly=False
    )
    accrochage_survey_auto_send = fields.Boolean(
        related="company_id.accrochage_survey_auto_send", readonly=False
    )
    accrochage_auto_deposit = fields.Boolean(
        "Build deposits automatically",
        compute="_compute_accrochage_cron",
        inverse="_inverse_accrochage_cron",
    )
    accrochage_deposit_interval = fields.Integer(
        "Every", compute="_compute_accrochage_cron", inverse="_inverse_accrochage_cron"
    )
    accrochage_deposit_interval_type = fields.Selection(
        [("days", "Days"), ("weeks", "Weeks"), ("months", "Months")],
        "Unit",
        compute="_compute_accrochage_cron",
        inverse="_inverse_accrochage_cron",
    )

    def _accrochage_cron(self):
        return self.env.ref(CRON_XMLID, raise_if_not_found=False)

    @api.depends("company_id")
    def _compute_accrochage_cron(self):
        cron = self._accrochage_cron().sudo()
        for settings in self:
            settings.accrochage_auto_deposit = bool(cron.active)
            settings.accrochage_deposit_interval = cron.interval_number or 1
            interval_type = cron.interval_type
            settings.accrochage_deposit_interval_type = (
                interval_type if interval_type in ("days", "weeks", "months") else "days"
            )

    def _inverse_accrochage_cron(self):
        cron = self._accrochage_cron()
        if not cron:
            return
        for settings in self:
            cron.sudo().write(
                {
                    "active": settings.accrochage_auto_deposit,
                    "interval_number": max(settings.accrochage_deposit_interval, 1),
                    "interval_type": settings.accrochage_deposit_interval_type or "days",
                }
            )
