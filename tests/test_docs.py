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


def test_checked_in_rules_page_is_up_to_date():
    from accrochage.docs import RULES_FILE, render_rules_markdown

    assert RULES_FILE.read_text(encoding="utf-8") == render_rules_markdown()


def test_rules_page_lists_every_rule_with_its_severity_and_source():
    from accrochage.docs import render_rules_markdown
    from accrochage.rulebook import RULES

    page = render_rules_markdown()
    for rule in RULES.values():
        assert f"| `{rule.code}` |" in page
    assert "| `exam_dates_order` | bloquant | guide de l'accusé de traitement V3 p.5 |" in page


def test_issue_9_names_pages_cite_v16_and_never_advise_shortening():
    """NC5 V22 #8.1-#8.5: 60 characters; 30/20 come from the template's V.16 sheet."""
    page = render_markdown(get_schema("1.1.2"))
    row = next(line for line in page.splitlines() if "`nomNaissance`" in line)
    assert "V.16" in row and "sans l'abréger" in row
    assert "abrégez" not in page


def test_reconstructed_schema_page_says_so():
    assert "schéma 1.1.5 reconstitué" in render_markdown(get_schema("1.1.5"))
    assert "reconstitué" not in render_markdown(get_schema("1.1.2"))
