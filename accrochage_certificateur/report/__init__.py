from . import accrochage_report_deadline, accrochage_report_session
