"""accrochage: the CDC "accrochage certificateur" flux, in pure Python.

Never imports Odoo. Every module derives from the data dictionary table
(``accrochage.dictionary``), one per schema version.

Public modules:

- ``dictionary``  — ``get_schema(version)``: the table and its views.
- ``xsd``         — ``generate_xsd(schema)``, ``load_schema(version)``.
- ``values``      — value conversion (``to_xml_text``, ``parse_text``).
- ``findings``    — ``Finding`` (severity, code, field, dico_id, French message).
- ``rules``       — ``check_passage(passage, ...)``: pre-send rules.
- ``identity``    — NIR, INSEE code and name checks.
- ``writer``      — ``write_deposit(passages, out_dir, ...)``: streaming XML files.
- ``receipt``     — ``parse_receipt(data)``: the CDC's accusé de traitement.
- ``importer``    — ``read_passages(path)``: CSV/XLSX in the CDC template layout.
- ``export``      — CSV export of passages and findings.
- ``transport``   — HTTPS upload.
- ``cli``         — the ``accrochage`` command.
"""

__version__ = "0.1.0"
