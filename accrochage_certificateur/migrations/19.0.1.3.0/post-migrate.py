"""19.0.1.3.0: the passages' plain index on the idTechnique is dropped.

Three indexes held it: the plain one, the unique constraint's, which finds
an id as well, and since this version the index of the id as the CDC
compares it, trimmed. Each costs every passage written (a deposit writes
them all); Odoo keeps an index the model no longer declares, so it is
dropped here.
"""

from odoo.tools.sql import drop_index

PLAIN_INDEX = "accrochage_passage__id_technique_index"


def migrate(cr, version):
    if version:
        drop_index(cr, PLAIN_INDEX, "accrochage_passage")
