from odoo import fields, models

from ..engine import DEFAULT_VERSION, fact_help, version_selection


class ResCompany(models.Model):
    _inherit = "res.company"

    accrochage_id_client = fields.Char(
        "CDC emitter client id",
        size=8,
        help=fact_help("idClientEmetteur")
        + " Vide : l'identifiant client du certificateur est utilisé.",
    )
    accrochage_schema_version = fields.Selection(
        version_selection(), "CDC schema version", default=DEFAULT_VERSION
    )
    accrochage_xsd_file = fields.Binary("Official XSD", attachment=True, groups="base.group_system")
    accrochage_xsd_filename = fields.Char("Official XSD file name")
    accrochage_transport_url = fields.Char(
        "Upload endpoint",
        help="Adresse d'envoi automatique, si la Caisse des Dépôts vous en a fourni "
        "une. Vide : le fichier est déposé à la main sur le portail et le dépôt est "
        "ensuite marqué comme envoyé.",
    )
    accrochage_deposit_batch = fields.Integer(
        "Passages per deposit",
        default=10000,
        help="Nombre maximal de passages par dépôt construit par la tâche planifiée.",
    )
