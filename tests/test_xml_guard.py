"""Flux files the engine did not write: refused or read in bounded time and memory.

Every input is generated here from a valid file of the writer. For each
class (issue 8: DOCTYPE/entities, XML version, size, resource limits), the
engine answers with a typed, French, blocking finding (``validate_file``)
or error (reader), and ``accrochage validate`` prints no traceback.
"""

import json
import subprocess
import sys
import textwrap
import time

import pytest

from accrochage import cli, xmlsafe
from accrochage.exceptions import (
    DocumentInvalid,
    XmlLimitExceeded,
    XmlRefused,
    XmlSyntaxInvalid,
)
from accrochage.reader import iter_passages
from accrochage.writer import MAX_FINDINGS, UNREADABLE, validate_file, write_deposit
from tests.conftest import ROOT
from tests.factories import make_passage, make_passages

#: what a hostile file may cost, at most
SECONDS = 10


@pytest.fixture(scope="module")
def valid_text(tmp_path_factory):
    out = tmp_path_factory.mktemp("valid")
    [written] = write_deposit(make_passages(3), out)
    return written.path.read_text(encoding="utf-8")


def _declaration_and_rest(text):
    declaration, rest = text.split("\n", 1)
    return declaration, rest


def _first_name_replaced(text, value):
    return text.replace("<cpf:nomNaissance>MARTIN", f"<cpf:nomNaissance>{value}", 1)


def _variants(text):
    """``{name: (bytes, expected code)}``: one per way of smuggling an entity."""
    declaration, rest = _declaration_and_rest(text)
    return {
        "internal entity": (
            declaration
            + '\n<!DOCTYPE f [<!ENTITY e "DUPONT">]>\n'
            + _first_name_replaced(rest, "&e;"),
            "xml_refused",
        ),
        "external entity": (
            declaration
            + '\n<!DOCTYPE f [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
            + _first_name_replaced(rest, "&e;"),
            "xml_refused",
        ),
        "parameter entity": (
            declaration
            + '\n<!DOCTYPE f [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x"> %p;]>\n'
            + rest,
            "xml_refused",
        ),
        "bare doctype": (declaration + "\n<!DOCTYPE flux>\n" + rest, "xml_refused"),
        "doctype lower case": (declaration + "\n<!doctype flux>\n" + rest, "xml_refused"),
        "undeclared entity": (_first_name_replaced(text, "&e;"), "xml_refused"),
        "stray ampersand": (_first_name_replaced(text, "A&B"), "xml_refused"),
        "billion laughs": (
            declaration
            + "\n<!DOCTYPE f ["
            + '<!ENTITY a "aaaaaaaaaa">'
            + "".join(
                f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
            )
            + "]>\n"
            + _first_name_replaced(rest, "&i;"),
            "xml_refused",
        ),
        "utf-16": (
            text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
            "xml_refused",
        ),
        "entity after 1 MB": (
            text.replace(
                "<cpf:idFlux>", "<!--" + "x" * 1_000_000 + "-->\n<!DOCTYPE f><cpf:idFlux>", 1
            ),
            "xml_refused",
        ),
    }


def _write(tmp_path, name, data):
    path = tmp_path / (name.replace(" ", "-") + ".xml")
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def _run_cli(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_every_entity_or_doctype_is_refused_in_french(tmp_path, valid_text, capsys):
    variants = _variants(valid_text)
    assert len(variants) == 10
    for name, (data, code) in variants.items():
        path = _write(tmp_path, name, data)
        started = time.monotonic()
        findings = validate_file(path)
        assert time.monotonic() - started < SECONDS, name
        assert [f.code for f in findings] == [code], name
        assert findings[0].blocking and code in UNREADABLE
        message = findings[0].message
        assert "refusés" in message or "UTF-8" in message, name
        assert "root:" not in message and "DUPONT" not in message
        with pytest.raises(XmlRefused) as caught:
            list(iter_passages(path))
        assert caught.value.code == "xml_refused" and isinstance(caught.value, DocumentInvalid)
        status, out, err = _run_cli(capsys, "validate", str(path))
        assert status != 0, name
        assert "refusés" in out + err or "UTF-8" in out + err, name


def test_entity_error_names_its_line(tmp_path, valid_text):
    text = _first_name_replaced(valid_text, "&e;")
    [finding] = validate_file(_write(tmp_path, "line", text))
    line = text[: text.index("&e;")].count("\n") + 1
    assert finding.row == line and f"ligne {line}" in finding.message


def test_ampersand_inside_cdata_is_text_not_an_entity(tmp_path, valid_text):
    text = valid_text.replace(
        "<cpf:nomNaissance>MARTIN", "<cpf:nomNaissance><![CDATA[MARTIN]]>", 1
    ).replace("<cpf:prenom1>", "<cpf:prenom1><![CDATA[]]>", 1)
    assert validate_file(_write(tmp_path, "cdata", text)) == []


@pytest.mark.parametrize(
    "declaration, read_further",
    [
        ('<?xml version="1.1" encoding="UTF-8"?>', True),
        ('<?xml version="2.0" encoding="UTF-8"?>', False),
        ('<?xml encoding="UTF-8"?>', False),
    ],
)
def test_error_guide_v4_3_2_only_xml_1_0_is_accepted(
    tmp_path, valid_text, declaration, read_further
):
    """Error guide V4 §3.2 (p.7): "Seule la version XML 1.0 est prise en charge"."""
    text = declaration + "\n" + _declaration_and_rest(valid_text)[1]
    if read_further:  # the content is still checked: a second fault is reported too
        text = text.replace("<cpf:sexe>F<", "<cpf:sexe>H<", 1)
    findings = validate_file(_write(tmp_path, "version", text))
    assert findings[0].code == "xml_version" and findings[0].blocking
    assert "1.0" in findings[0].message and "V4 §3.2" in findings[0].message
    codes = [f.code for f in findings]
    assert ("xsd_value" in codes) is read_further
    if not read_further:
        assert codes == ["xml_version"]


def test_no_declaration_is_xml_1_0(tmp_path, valid_text):
    assert validate_file(_write(tmp_path, "bare", _declaration_and_rest(valid_text)[1])) == []


def test_a_file_over_200_mo_would_not_be_taken(tmp_path, valid_text):
    """General guide V5 §4.4.2: 200 Mo per file at most."""
    path = _write(tmp_path, "big", valid_text)
    [finding] = validate_file(path, max_bytes=len(valid_text) - 1)
    assert finding.code == "file_too_large" and finding.blocking
    assert "200" not in finding.message or "Mo" in finding.message
    assert "Découpez" in finding.message


def test_a_200_mb_text_node_is_refused_without_reading_it(tmp_path, valid_text):
    declaration, rest = _declaration_and_rest(valid_text)
    path = tmp_path / "text-node.xml"
    head, tail = rest.split("MARTIN", 1)
    with open(path, "wb") as handle:
        handle.write((declaration + "\n" + head).encode())
        chunk = b"A" * 1_000_000
        for _ in range(200):
            handle.write(chunk)
        handle.write(tail.encode())
    started = time.monotonic()
    [finding] = validate_file(path)
    assert time.monotonic() - started < 1
    assert finding.code == "file_too_large" and "Mo" in finding.message


# -- resource limits, in a subprocess with a memory cap -------------------------

_HOSTILE = {
    "text node of 20 MB": "head + '<cpf:nomNaissance>' + 'A' * 20_000_000 + tail",
    "100,000 attributes on one element": (
        "text.replace('<cpf:flux ', '<cpf:flux ' + ' '.join(f'a{i}=\"x\"' for i in "
        "range(100_000)) + ' ', 1)"
    ),
    "300,000 siblings in the envelope": (
        "text.replace('<cpf:emetteur>', '<cpf:idFlux>x</cpf:idFlux>' * 300_000 + "
        "'<cpf:emetteur>', 1)"
    ),
    "300,000 siblings in one passage": (
        "text.replace('<cpf:sexe>', '<cpf:prenom2>x</cpf:prenom2>' * 300_000 + '<cpf:sexe>', 1)"
    ),
    "300 levels deep": (
        "text.replace('<cpf:emetteur>', '<a>' * 300 + '</a>' * 300 + '<cpf:emetteur>', 1)"
    ),
    "name of 60,000 characters": (
        "text.replace('<cpf:emetteur>', '<' + 'a' * 60_000 + '/><cpf:emetteur>', 1)"
    ),
}

_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
    from accrochage.reader import iter_passages
    from accrochage.writer import validate_file
    path, limit = sys.argv[1], {limit}
    started = time.monotonic()
    findings = validate_file(path)
    seconds = time.monotonic() - started
    try:
        list(iter_passages(path))
        reader = None
    except Exception as error:
        reader = [type(error).__name__, error.code, str(error)]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({{"codes": [f.code for f in findings], "messages": [f.message for f in
        findings], "seconds": seconds, "rss": rss, "reader": reader}}))
    """
)


def _measure(tmp_path, name, expression, valid_text):
    declaration, rest = _declaration_and_rest(valid_text)
    head, tail = rest.split("<cpf:nomNaissance>", 1)
    text = valid_text
    data = eval(expression, {"text": text, "head": declaration + "\n" + head, "tail": tail})  # noqa: S307
    path = _write(tmp_path, name, data)
    result = subprocess.run(
        [sys.executable, "-c", _CHILD.format(limit=0), str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", list(_HOSTILE))
def test_resource_limits_are_bounded(tmp_path, valid_text, name):
    measured = _measure(tmp_path, name, _HOSTILE[name], valid_text)
    assert measured["codes"][0] == "xml_limits", measured
    assert measured["seconds"] < SECONDS, measured
    assert measured["rss"] < 400, measured  # MB, for files of up to 20 MB
    assert "régénérez" in measured["messages"][0]
    kind, code, message = measured["reader"]
    assert kind == XmlLimitExceeded.__name__ and code == "xml_limits" and message


def test_many_certifications_are_read_in_bounded_memory(tmp_path):
    """2,000 certifications of one passage each (120,000 elements): valid, and the tree
    stays small, else the guard of 50,000 elements kept would stop the reading."""
    passages = [make_passage(i, type="RS", code=f"RS{1000 + i}") for i in range(1, 2_001)]
    [written] = write_deposit(passages, tmp_path, validate=False)
    started = time.monotonic()
    # validate_file and the reader free what they read: no limit is hit
    assert validate_file(written.path) == []
    assert sum(1 for _ in iter_passages(written.path)) == 2_000
    assert time.monotonic() - started < 60


def test_the_guard_stops_a_reader_that_keeps_everything(tmp_path, valid_text):
    text = valid_text.replace("<cpf:emetteur>", "<cpf:x/>" * 5_000 + "<cpf:emetteur>", 1)
    path = _write(tmp_path, "kept", text)
    with pytest.raises(XmlLimitExceeded, match="éléments"):
        for _event in xmlsafe.stream(path, max_tree=1_000):
            pass


def test_findings_are_capped(tmp_path):
    passages = [make_passage(i, sexe="H") for i in range(1, 1_200)]
    [written] = write_deposit(passages, tmp_path, validate=False)
    findings = validate_file(written.path)
    assert len(findings) == MAX_FINDINGS + 1
    assert findings[-1].code == "too_many_findings"
    assert str(len(passages) - MAX_FINDINGS) in findings[-1].message


@pytest.mark.parametrize(
    "old, new, family_word",
    [
        ("<cpf:idFlux>", "<!-- a -- b --><cpf:idFlux>", "--"),
        ("</cpf:idFlux>", "", "fermée"),
        ("</cpf:horodatage>", "</cpf:horodatage", "« > »"),
        ('<cpf:flux xmlns:cpf="', '<cpf:flux xmlns:cpf "', "« > »"),
    ],
)
def test_syntax_errors_say_what_the_error_guide_says(tmp_path, valid_text, old, new, family_word):
    """Error guide V4 §3.1 and §3.4: comments with "--", end tags and "> "."""
    [finding] = validate_file(_write(tmp_path, "syntax", valid_text.replace(old, new, 1)))
    assert finding.code == "xml_syntax" and finding.row
    assert family_word in finding.message and "V4 §3." in finding.message
    with pytest.raises(XmlSyntaxInvalid):
        list(iter_passages(_write(tmp_path, "syntax", valid_text.replace(old, new, 1))))


def test_attributes_of_a_real_flux_pass_the_guard(tmp_path):
    """Every value unknown (xsi:nil on each nillable element): still read."""
    passages = [
        make_passage(i, moisNaissance=None, jourNaissance=None, nomUsage=None)
        for i in range(1, 400)
    ]
    [written] = write_deposit(passages, tmp_path)
    assert validate_file(written.path) == []
