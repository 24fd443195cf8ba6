"""19.0.1.1.0: the attendee's hand-typed insertion status becomes insertion surveys."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["accrochage.insertion.survey"]._migrate_from_attendees()
