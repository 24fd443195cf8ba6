"""The XSD files shipped in accrochage/schemas are the generated ones."""

from lxml import etree

from accrochage import xsd
from accrochage.dictionary import VERSIONS, get_schema


def test_regeneration_is_a_no_op(tmp_path):
    regenerated = xsd.write_schema_files(tmp_path)
    assert [p.name for p in regenerated] == [xsd.schema_file(v).name for v in VERSIONS]
    for path in regenerated:
        shipped = xsd.schema_file(path.name[len("flux-") : -len(".xsd")])
        assert shipped.read_bytes() == path.read_bytes(), (
            f"{shipped.name} is stale: run write_schema_files() (accrochage schema)"
        )


def test_shipped_files_say_they_are_generated_and_compile():
    for version in VERSIONS:
        text = xsd.schema_file(version).read_text(encoding="utf-8")
        assert "do not edit" in text and f'version="{version}"' in text
        schema = etree.XMLSchema(etree.parse(str(xsd.schema_file(version))))
        assert schema is not None


def test_shipped_file_equals_the_in_memory_schema():
    """The writer validates with load_schema(); the user gets the file."""
    for version in VERSIONS:
        expected = xsd.generate_xsd(get_schema(version))
        assert xsd.schema_file(version).read_text(encoding="utf-8") == expected


def test_official_sample_validates_against_the_shipped_file(official_sample_path):
    schema = etree.XMLSchema(etree.parse(str(xsd.schema_file("1.1.2"))))
    assert schema.validate(etree.parse(str(official_sample_path)))


def test_reconstructed_schema_says_so_in_its_header_and_on_the_command_line(capsys):
    """Schema 1.1.5 is rebuilt from reported facts (SPEC.md §2.4), not read."""
    from accrochage import cli

    notice = "schéma 1.1.5 reconstitué : vérifiez-le avec --xsd et le XSD officiel"
    assert get_schema("1.1.5").notice == notice
    head = xsd.schema_file("1.1.5").read_text(encoding="utf-8")[:1000]
    assert notice in head
    assert "reconstitué" not in xsd.schema_file("1.1.2").read_text(encoding="utf-8")
    assert cli.main(["schema", "-V", "1.1.5"]) == 0
    captured = capsys.readouterr()
    assert notice in captured.err and notice not in captured.out.split("-->", 1)[0]
    etree.XMLSchema(etree.fromstring(captured.out.encode("utf-8")))  # still a schema
    assert cli.main(["schema", "-V", "1.1.2"]) == 0
    assert capsys.readouterr().err == ""
