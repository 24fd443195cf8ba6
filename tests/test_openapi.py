"""The OpenAPI documents in docs/ are generated: regenerating them changes nothing."""

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("gen_openapi", REPO / "scripts/gen_openapi.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_regenerating_the_openapi_documents_is_a_no_op():
    documents = _script().documents()
    assert documents
    for path, text in documents.items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is stale: run python scripts/gen_openapi.py"
        )


def test_the_documented_methods_are_those_of_the_addon():
    methods = {name: parameters for name, parameters, _doc in _script().read_methods()}
    assert methods == {
        "partner_submit": [("candidates", "list[dict]", True)],
        "partner_status": [("since", "str | None", False)],
    }
