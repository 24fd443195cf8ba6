from . import (
    accrochage_bilan,
    accrochage_report_deadline,
    accrochage_report_rate_mixin,
    accrochage_report_session,
)
