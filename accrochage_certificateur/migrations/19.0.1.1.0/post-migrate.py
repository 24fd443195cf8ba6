"""19.0.1.1.0: the holder is the attendee, the birth country a country.

- Attendees get their holder (``accrochage_holder_id``): the identity their
  passage was built on when it is theirs or was already sent, otherwise a
  contact of their own (see ``event.registration._accrochage_migrate_holders``).
- The birth country typed as a code (``accrochage_birth_country_code``, or a
  99XXX birth place) becomes a country (``accrochage_birth_country_id``).
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools.sql import column_exists

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    countries = env["res.partner"]._accrochage_migrate_birth_countries(
        legacy_column="accrochage_birth_country_code"
        if column_exists(cr, "res_partner", "accrochage_birth_country_code")
        else None
    )
    registrations = env["event.registration"]._accrochage_migrate_holders()
    # counts only: these are personal data
    _logger.info(
        "accrochage_certificateur %s: %s birth countries, %s attendee holders filled",
        version,
        countries,
        len(registrations),
    )
