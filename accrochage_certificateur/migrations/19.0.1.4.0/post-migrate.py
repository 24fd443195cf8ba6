"""19.0.1.4.0: the deposit lines' plain index on the deposit is dropped.

The unique constraint's index (deposit, passage) leads with the deposit, so
it finds a deposit's lines as well. The plain one cost every line written
(a deposit of 50,000 passages writes 50,000 lines: about 0.1 s,
bench/bench_odoo.py); Odoo keeps an index the model no longer declares, so
it is dropped here.
"""

from odoo.tools.sql import drop_index

PLAIN_INDEX = "accrochage_deposit_line__deposit_id_index"


def migrate(cr, version):
    if version:
        drop_index(cr, PLAIN_INDEX, "accrochage_deposit_line")
