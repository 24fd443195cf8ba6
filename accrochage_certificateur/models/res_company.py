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
