"""Valid passages to start tests from (the engine's own samples), and
workbooks made in the test, whole or with one part changed."""

import io
import zipfile

import openpyxl

from accrochage.samples import DEPOSIT, make_passage, make_passages

__all__ = ["DEPOSIT", "make_passage", "make_passages", "rewrite_part", "workbook"]


def workbook(rows, title="Tableau declaration"):
    """An .xlsx holding ``rows`` in a sheet named like the CDC template's."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_part(data, name, content):
    """The same archive with part ``name`` replaced by ``content`` (bytes, or
    a function of the part's bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == name:
                body = content(body) if callable(content) else content
            target.writestr(info.filename, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()
