from . import accrochage_passage_import, accrochage_receipt_import
