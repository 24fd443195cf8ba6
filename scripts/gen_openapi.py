"""Write the OpenAPI 3.1 documents of the partner exchange API.

Generated, never hand-written: the methods, their parameters and their
descriptions are read from the addon's source (the signatures and
docstrings of ``partner_submit`` and ``partner_status``, without importing
Odoo), the candidates' fields from the CDC dictionary table
(``accrochage.exchange``). ``tests/test_openapi.py`` checks that running
this again changes nothing.

    python scripts/gen_openapi.py        # writes docs/api-partenaire-<version>.openapi.json
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "accrochage_certificateur" / "models" / "accrochage_passage_partner.py"
MODEL = "accrochage.passage"
METHODS = ("partner_submit", "partner_status")
TITLE = "Accrochage certificateur : API des organismes partenaires"


def read_methods(source=SOURCE):
    """``[(name, [(parameter, annotation, required)], docstring)]`` of the API."""
    tree = ast.parse(Path(source).read_text(encoding="utf-8"))
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in METHODS:
            arguments = node.args.args[1:]  # without self
            defaults = [None] * (len(arguments) - len(node.args.defaults)) + node.args.defaults
            parameters = [
                (arg.arg, ast.unparse(arg.annotation) if arg.annotation else "", default is None)
                for arg, default in zip(arguments, defaults, strict=True)
            ]
            found[node.name] = (node.name, parameters, ast.get_docstring(node) or "")
    missing = [name for name in METHODS if name not in found]
    if missing:
        raise SystemExit(f"{source}: méthodes introuvables : {', '.join(missing)}")
    return [found[name] for name in METHODS]


def documents():
    """{path: text} of every document, one per schema version."""
    sys.path.insert(0, str(REPO))
    from accrochage.dictionary import VERSIONS
    from accrochage.exchange import openapi_document

    methods = read_methods()
    result = {}
    for version in VERSIONS:
        document = openapi_document(methods, model=MODEL, version=version, title=TITLE)
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        result[REPO / "docs" / f"api-partenaire-{version}.openapi.json"] = text
    return result


def main():
    for path, text in documents().items():
        path.write_text(text, encoding="utf-8")
        print(path.relative_to(REPO))


if __name__ == "__main__":
    main()
