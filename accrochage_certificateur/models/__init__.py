from . import (
    accrochage_certification,
    accrochage_certifier,
    accrochage_deposit,
    accrochage_deposit_line,
    accrochage_digital_result,
    accrochage_passage,
    event_event,
    event_registration,
    event_type,
    res_company,
    res_config_settings,
    res_partner,
)
