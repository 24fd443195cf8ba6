"""``accrochage validate`` on a file the CDC would not take: exit 1 with the
French reason, no passage read, never a traceback (issue #8: "Any entity
reference or DOCTYPE in a file given to validate", "validate on a file the
CDC would not take says so"). Every file is generated from a valid flux."""

import re

import pytest

from accrochage.writer import write_deposit
from tests.clirun import run, run_process
from tests.factories import make_passage


@pytest.fixture(scope="module")
def valid_flux(tmp_path_factory):
    folder = tmp_path_factory.mktemp("flux")
    (written,) = write_deposit([make_passage(1), make_passage(2)], folder)
    return written.path.read_bytes()


def _with_doctype(flux, doctype):
    declaration, rest = flux.split(b"\n", 1)
    return declaration + b"\n" + doctype + b"\n" + rest


def refused_files(flux):
    """(name, bytes, words the French message holds)."""
    first_name = b"<cpf:nomNaissance>MARTIN</cpf:nomNaissance>"
    yield "internal entity", _with_doctype(flux, b'<!DOCTYPE flux [<!ENTITY e "x">]>'), "DOCTYPE"
    yield (
        "external entity",
        _with_doctype(flux, b'<!DOCTYPE flux [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>').replace(
            first_name, b"<cpf:nomNaissance>&xxe;</cpf:nomNaissance>", 1
        ),
        "DOCTYPE",
    )
    laughs = b"".join(
        b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;">' % (n, n - 1, n - 1, n - 1, n - 1)
        for n in range(1, 9)
    )
    yield (
        "entity bomb",
        _with_doctype(flux, b'<!DOCTYPE flux [<!ENTITY l0 "lol">' + laughs + b"]>").replace(
            first_name, b"<cpf:nomNaissance>&l8;</cpf:nomNaissance>", 1
        ),
        "DOCTYPE",
    )
    yield "doctype alone", _with_doctype(flux, b"<!DOCTYPE flux>"), "DOCTYPE"
    yield (
        "undeclared entity",
        flux.replace(first_name, b"<cpf:nomNaissance>&nbsp;MARTIN</cpf:nomNaissance>", 1),
        "entité",
    )
    yield "xml 1.1", re.sub(rb"version=(['\"])1.0", rb"version=\g<1>1.1", flux, count=1), "1.0"


def test_a_refused_file_is_exit_1_with_the_reason(tmp_path, capsys, valid_flux):
    cases = list(refused_files(valid_flux))
    assert len(cases) == 6
    for name, data, words in cases:
        path = tmp_path / f"{name.replace(' ', '-')}.xml"
        path.write_bytes(data)
        code, out, err = run(capsys, "validate", path)
        assert code == 1, (name, out, err)
        assert "0 passage(s), NON conforme" in out, (name, out)
        assert words in out, (name, out)
        assert "/etc/passwd" not in out or name == "external entity", name
        assert "root:" not in out, name  # nothing was expanded


def test_a_file_over_200_mb_is_refused_without_being_read(tmp_path, valid_flux):
    path = tmp_path / "gros.xml"
    with open(path, "wb") as handle:
        handle.write(valid_flux)
        handle.truncate(201_000_000)  # sparse: the size is what counts
    code, out, _err = run_process("validate", path)
    assert code == 1 and "NON conforme" in out and "Mo" in out


def test_a_refusal_in_json(tmp_path, capsys, valid_flux):
    import json

    path = tmp_path / "doctype.xml"
    path.write_bytes(_with_doctype(valid_flux, b"<!DOCTYPE flux>"))
    code, out, _err = run(capsys, "validate", path, "--json")
    payload = json.loads(out)
    assert code == 1 and payload["conforme"] is False and payload["passages"] == 0
    assert payload["anomalies"][0]["severity"] == "blocking"
