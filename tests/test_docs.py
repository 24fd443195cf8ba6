"""The dictionary pages in docs/ are generated from the table."""

import pytest

from accrochage import cli
from accrochage.dictionary import VERSIONS, get_schema
from accrochage.docs import docs_file, render_markdown


@pytest.mark.parametrize("version", VERSIONS)
def test_checked_in_pages_are_up_to_date(version):
    assert docs_file(version).read_text(encoding="utf-8") == render_markdown(get_schema(version)), (
        "régénérez : python -c 'from accrochage.docs import write_docs; write_docs()'"
    )


def test_every_field_is_documented_with_its_id_and_label():
    schema = get_schema("1.1.5")
    page = render_markdown(schema)
    for node in schema.leaves:
        assert f"`{node.name}` | {node.label} |" in page
    assert "`CREATION`" in page and "nil si inconnu" in page


def test_cli_prints_the_page(capsys):
    assert cli.main(["dictionary", "--version", "1.1.2"]) == 0
    assert capsys.readouterr().out == render_markdown(get_schema("1.1.2"))
