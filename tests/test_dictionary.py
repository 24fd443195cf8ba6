"""The dictionary table against the official kit, and its own consistency."""

import pytest

from accrochage.dictionary import VERSIONS, Enum, get_schema
from accrochage.exceptions import UnknownSchemaVersion

XS = "{http://www.w3.org/2001/XMLSchema}"


def test_unknown_version_is_refused_in_french():
    with pytest.raises(UnknownSchemaVersion, match="1.1.2, 1.1.5"):
        get_schema("9.9")


@pytest.mark.parametrize("version", VERSIONS)
def test_every_node_has_a_french_label_and_a_known_parent(version):
    schema = get_schema(version)
    for node in schema.nodes:
        assert node.label, node.path
        assert node.parent is None or node.parent in schema.by_path, node.path


@pytest.mark.parametrize("version", VERSIONS)
def test_fact_keys_are_unique_outside_exclusive_branches(version):
    schema = get_schema(version)
    seen = {}
    for node in schema.leaves:
        if node.key in seen:
            # allowed only for the birth name, in two exclusive ways of identifying a holder
            assert node.key == "nomNaissance", node.path
            assert "identificationTitulaire" in node.path
        seen[node.key] = node


def test_version_1_1_5_adds_action_and_national_identifier_only():
    old, new = get_schema("1.1.2"), get_schema("1.1.5")
    added = set(new.by_path) - set(old.by_path)
    assert {p.rsplit("/", 1)[-1] for p in added} == {
        "action",
        "identifiantNational",
        "nir",
        "nomNaissance",
    }
    assert set(old.by_path) <= set(new.by_path)


def _official_elements(tree):
    """Map each element path of the official XSD to its declaration."""
    root = tree.getroot()
    types = {t.get("name"): t for t in root.iter(XS + "complexType") if t.get("name")}
    simple = {t.get("name"): t for t in root.findall(XS + "simpleType")}
    found = {}

    def walk(declaration, path):
        found[path] = declaration
        type_name = (declaration.get("type") or "").split(":")[-1]
        complex_type = types.get(type_name)
        if complex_type is None:
            complex_type = declaration.find(XS + "complexType")
        if complex_type is None:
            return
        for child in complex_type.iter(XS + "element"):
            if child.getparent() is not None and _owner(child) is complex_type:
                walk(child, f"{path}/{child.get('name')}")

    def _owner(element):
        parent = element.getparent()
        while parent is not None and parent.tag != XS + "complexType":
            parent = parent.getparent()
        return parent

    walk(root.find(XS + "element"), "flux")
    return found, simple


def test_table_matches_the_official_xsd_element_by_element(official_xsd_path):
    from lxml import etree

    found, simple = _official_elements(etree.parse(str(official_xsd_path)))
    schema = get_schema("1.1.2")
    assert set(found) == set(schema.by_path)
    for node in schema.nodes:
        declaration = found[node.path]
        assert declaration.get("nillable") == ("true" if node.nillable else None), node.path
        assert int(declaration.get("minOccurs", 1)) == node.min_occurs or (
            node.max_occurs is None  # the official wraps repeats in a choice
        ), node.path
        if isinstance(node.value, Enum):
            type_name = declaration.get("type").split(":")[-1]
            codes = [e.get("value") for e in simple[type_name].iter(XS + "enumeration")]
            assert tuple(codes) == node.value.values, node.path


def test_table_ids_match_the_cdc_template(official_template_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(str(official_template_path), read_only=True)
    sheet = book["Dictionnaire"]
    schema = get_schema("1.1.2")
    checked = 0
    for row in sheet.iter_rows(min_row=3, values_only=True):
        dico_id, tag = row[1], row[6]
        if not dico_id or not tag:
            continue
        node = schema.by_dico_id[str(dico_id)]
        xml_name = tag.split(">")[-1].strip()
        # the template writes "idClient2" for #3.1
        assert xml_name in (node.name, node.name + "2"), dico_id
        checked += 1
    assert checked == len(schema.columns)
