from odoo import fields, models

from ..engine import DEFAULT_VERSION, fact_help, version_selection


class ResCompany(models.Model):
    _inherit = "res.company"

    accrochage_id_client = fields.Char(
        "CDC emitter client id",
        size=8,
        help=fact_help("idClientEmetteur") + " Empty: the certifier's client id is used.",
    )
    accrochage_schema_version = fields.Selection(
        version_selection(), "CDC schema version", default=DEFAULT_VERSION
    )
    accrochage_strict = fields.Boolean(
        "Strict checks",
        help="Block the passages that miss what a CDC document asks for without the CDC "
        "refusing it (the VAE route, a presence flag, the DigComp pairs…). Off: these are "
        "warnings, and only what the CDC refuses blocks a passage.",
    )
    accrochage_xsd_file = fields.Binary("Official XSD", attachment=True, groups="base.group_system")
    accrochage_xsd_filename = fields.Char("Official XSD file name")
    accrochage_transport_url = fields.Char(
        "Upload endpoint",
        help="Automatic upload address, if the Caisse des Dépôts gave you one. "
        "Empty: the file is uploaded by hand on the portal and the deposit is "
        "then marked as sent.",
    )
    accrochage_deposit_batch = fields.Integer(
        "Passages per deposit",
        default=10000,
        help="Maximum number of passages per deposit built by the scheduled action.",
    )
    accrochage_survey_first_months = fields.Integer(
        "First insertion survey (months)",
        default=6,
        help="Months after the award when the first insertion survey is sent.",
    )
    accrochage_survey_second_months = fields.Integer(
        "Second insertion survey (months)",
        default=12,
        help="Months after the award when the second insertion survey is sent.",
    )
    accrochage_survey_answer_days = fields.Integer(
        "Days to answer a survey",
        default=30,
        help="A survey sent and still unanswered after these days counts as “no answer”.",
    )
    accrochage_survey_auto_send = fields.Boolean(
        "Send insertion surveys automatically",
        default=True,
        help="The daily scheduled action emails each survey when it is due.",
    )

    def _accrochage_survey_delays(self):
        """{wave: months after the award} of this company's two insertion surveys."""
        self.ensure_one()
        return {
            "first": self.accrochage_survey_first_months or 6,
            "second": self.accrochage_survey_second_months or 12,
        }
