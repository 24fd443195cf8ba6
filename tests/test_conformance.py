"""The project's schema 1.1.2 against the official XSD of the CDC kit: on a
corpus of valid documents and mutations of every constraint of the table,
both must accept and reject exactly the same documents. Skips cleanly when
../shared/cdc is absent."""

import shutil
import subprocess
from collections import Counter

import pytest
from lxml import etree

from accrochage import xsd
from accrochage.writer import validate_file
from tests.mutations import corpus

SHIPPED = xsd.schema_file("1.1.2")


@pytest.fixture(scope="module")
def ours():
    return etree.XMLSchema(etree.parse(str(SHIPPED)))


@pytest.fixture(scope="module")
def documents(official_sample_path):
    return corpus(official_sample_path.read_bytes())


@pytest.fixture(scope="module")
def verdicts(documents, ours, official_xsd):
    """{name: (ours, official)} for every document of the corpus."""
    result = {}
    for name, data in documents:
        root = etree.fromstring(data)
        result[name] = (ours.validate(root), official_xsd.validate(root))
    return result


def test_corpus_is_large_and_covers_every_leaf():
    from accrochage.dictionary import get_schema

    names = [name for name, _data in corpus()]
    assert len(names) >= 300
    assert len(set(names)) == len(names)
    for node in get_schema("1.1.2").leaves:
        assert any(name.endswith(f"/{node.name}/missing") for name in names), node.path


def test_both_schemas_accept_and_reject_the_same_documents(verdicts):
    disagreements = {name: v for name, v in verdicts.items() if v[0] != v[1]}
    counts = Counter("accepted" if official else "rejected" for _o, official in verdicts.values())
    print(f"\nconformance corpus: {len(verdicts)} documents, {dict(counts)}")
    assert not disagreements
    # both classes are substantial, so the comparison says something
    assert counts["accepted"] >= 50 and counts["rejected"] >= 200


@pytest.mark.parametrize(
    "name, accepted",
    [
        ("official-sample", True),
        ("base/mixed", True),
        ("structure/reverse-all-groups", True),  # xsd:all: order is free
        ("structure/both-birth-places", False),
        ("structure/two-certificateurs", False),
        ("structure/root-old-namespace", False),
        ("leaf/flux/horodatage/zulu", False),
        ("leaf/flux/horodatage/fraction", False),
        ("leaf/flux/horodatage/one-digit-offset", False),
        ("leaf/flux/horodatage/offset+14:30", False),
        ("leaf/flux/horodatage/hour24", False),
        ("leaf/flux/horodatage/winter", True),
        ("leaf/passageCertification/mentionValidee/empty", False),
        ("leaf/passageCertification/mentionValidee/nil", True),
        ("leaf/passageCertification/idTechnique/nil", False),
    ],
)
def test_known_verdicts(verdicts, name, accepted):
    """Facts of SPEC.md §2 (checked there with xmllint), held by both schemas."""
    assert verdicts[name] == (accepted, accepted)


def test_official_sample_validates_against_our_schema(ours, official_sample_path):
    assert ours.validate(etree.parse(str(official_sample_path)))


def test_validate_file_agrees_on_the_official_sample(official_sample_path, official_xsd_path):
    assert validate_file(official_sample_path) == []
    assert validate_file(official_sample_path, xsd=official_xsd_path) == []


@pytest.mark.skipif(shutil.which("xmllint") is None, reason="xmllint absent")
def test_xmllint_agrees_with_lxml_on_some_documents(documents, verdicts, tmp_path):
    picked = [n for n, v in verdicts.items() if v[0]][:6] + [
        n for n, v in verdicts.items() if not v[0]
    ][:6]
    data = dict(documents)
    for index, name in enumerate(picked):
        path = tmp_path / f"{index}.xml"
        path.write_bytes(data[name])
        run = subprocess.run(
            ["xmllint", "--noout", "--schema", str(SHIPPED), str(path)],
            capture_output=True,
            check=False,
        )
        assert (run.returncode == 0) == verdicts[name][0], name
