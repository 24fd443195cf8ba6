"""Reading many records' fields at once, and writing many rows, for the
batches the engine takes.

A deposit or a "Check again" reads some twenty fields of 10,000 passages and
their holders. Through the ORM that is one attribute access per record and
field, and it was the largest share of a 10,000-passage deposit's CPU time
(bench/bench_odoo.py); one query that selects the columns is not. A deposit
also writes a line per passage with a copy of what was sent: by ``COPY``
(``copy_rows``), not as values quoted into a query.
"""

import io

import psycopg2

from odoo import models
from odoo.tools import SQL

#: bytes handed to PostgreSQL at a time by ``copy_rows``
COPY_CHUNK = 1 << 20


def read_columns(records, names):
    """``{name: [value of each record, in order]}`` of stored fields.

    Saved records are read in one query built by the ORM itself
    (``_field_to_sql``: field access rights and translations as the ORM
    applies them), after pending stored computes are written (flush); a
    value is the column's: ``None`` where it is empty, the id for a
    many2one. Records not saved yet (a form being typed) are read through
    the ORM, with the same values.
    """
    if not records:
        return {name: [] for name in names}
    if not all(isinstance(record_id, int) for record_id in records._ids):
        return {name: [_as_column(record[name]) for record in records] for name in names}
    records.check_access("read")
    records.flush_recordset(list(names))
    query = records._as_query(ordered=False)
    table = records._table
    rows = records.env.execute_query(
        query.select(
            SQL.identifier(table, "id"),
            *(records._field_to_sql(table, name, query) for name in names),
        )
    )
    by_id = {row[0]: row for row in rows}
    ordered = [by_id[record_id] for record_id in records._ids]
    return {name: [row[index] for row in ordered] for index, name in enumerate(names, 1)}


def _as_column(value):
    """An ORM value as its column holds it."""
    if isinstance(value, models.BaseModel):
        return value.id or None
    return None if value is False else value


def copy_rows(cr, table, rows):
    """``COPY`` these rows (tuples of ints, texts and None) into ``table``.

    Encoded once and sent by chunks of 1 MB: read as text by chunks of 8 kB
    (psycopg2's default), 65 MB cost the client 2.5 times the CPU. The wait
    callback is set aside as in Odoo's own ``COPY`` (``_export_rows`` in
    ``odoo/orm/models.py``).
    """
    text = "\n".join(["\t".join(map(_copy_text, row)) for row in rows])
    data = io.BytesIO(text.encode(psycopg2.extensions.encodings[cr.connection.encoding]))
    callback = psycopg2.extensions.get_wait_callback()
    psycopg2.extensions.set_wait_callback(None)
    try:
        cr.copy_expert(SQL("COPY %s FROM STDIN", SQL.identifier(table)).code, data, size=COPY_CHUNK)
    finally:
        psycopg2.extensions.set_wait_callback(callback)


def _copy_text(value):
    """A value in ``COPY``'s text format: ``\\N`` for NULL, the separators escaped."""
    if value is None:
        return "\\N"
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )
