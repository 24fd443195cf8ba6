"""accrochage: the CDC "accrochage certificateur" flux, in pure Python.

Never imports Odoo. Every module derives from the data dictionary table
(``accrochage.dictionary``), one per schema version.

Public modules:

- ``dictionary``  — ``get_schema(version)``: the table and its views.
- ``xsd``         — ``generate_xsd(schema)``, ``load_schema(version)``.
- ``values``      — value conversion (``to_xml_text``, ``parse_text``).
- ``findings``    — ``Finding`` (severity, code, field, dico_id, French message).
- ``rules``       — ``check_passage(passage, ...)``, ``normalize_passage``: pre-send rules
  (``check_facets`` / ``check_business`` apart; ``business_rules``, the plan
  compiled per version in ``rule_plan``, severities and sources in ``rulebook``).
- ``identity``    — names, and the identifier checks under their earlier names.
- ``nir``, ``insee``, ``postal_code``, ``certification_code``, ``cpf_file``,
  ``siret``, ``birth`` — one module per identifier or coded value, with
  ``compact / validate / is_valid / format`` and typed errors (``exceptions``).
- ``deadline``    — the 3-month legal deadline after the award date.
- ``writer``      — ``write_deposit(passages, out_dir, ...)``: streaming XML files;
  ``validate_file(path)``: findings for a flux file made elsewhere.
- ``reader``      — ``iter_passages(path)``: passages read back from a flux file.
- ``xmlsafe``     — the safe parser options and ``stream``: guarded reading of outside XML.
- ``xmlerrors``   — ``explain(message)``: the CDC's XML error messages (error guide V4).
- ``receipt``     — ``parse_receipt(data)``: the CDC's accusé de traitement;
  ``receipt_outcome(ids, receipt)``: the outcome of each passage of a file.
- ``importer``    — ``iter_rows(path)``: CSV/XLSX in the CDC template layout, streamed.
- ``export``      — CSV export of passages and findings.
- ``transport``   — ``HttpsTransport(url).send(file)``: HTTPS upload with retries.
- ``docs``        — the dictionary as a French Markdown page (``docs/``).
- ``progress``    — a progress bar for long runs.
- ``cli``         — the ``accrochage`` command.
"""

__version__ = "0.1.0"
