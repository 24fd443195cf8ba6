from . import (
    accrochage_bilan_wizard,
    accrochage_passage_import,
    accrochage_passage_import_partner,
    accrochage_passage_resend,
    accrochage_receipt_import,
)
