"""The ``accrochage`` command as a user runs it."""

import datetime
import json
import shutil
import subprocess

import pytest
from lxml import etree

from accrochage import cli
from accrochage.dictionary import get_schema
from accrochage.xsd import generate_xsd
from tests.factories import make_passage


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path, passages, version="1.1.2"):
    from accrochage.export import write_passages_csv

    with open(path, "w", encoding="utf-8", newline="") as handle:
        write_passages_csv(passages, handle, version=version)
    return path


def test_schema_prints_the_generated_xsd(capsys):
    code, out, _ = run(capsys, "schema", "--version", "1.1.5")
    assert code == 0
    assert out == generate_xsd(get_schema("1.1.5"))
    assert 'name="identifiantNational"' in out


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["envoyer"])
    assert exit_info.value.code == 2


def test_demo_writes_a_deposit_valid_for_the_official_xsd(tmp_path, capsys, official_xsd):
    code, out, _ = run(capsys, "demo", "-o", str(tmp_path))
    assert code == 0
    files = sorted(tmp_path.glob("*.xml"))
    assert files, out
    for path in files:
        assert official_xsd.validate(etree.parse(str(path))), official_xsd.error_log
    assert "Déposer un fichier XML" in out
    assert (tmp_path / "rapport-anomalies.csv").exists()
    # the demo's deliberately broken holders are reported, not written
    assert "DEMO-2026-0008" in out and "DEMO-2026-0008" not in files[0].read_text()
    # a VAE without its route is only asked by the template (V.16): written, with a warning
    assert "DEMO-2026-0006" in out and "DEMO-2026-0006" in files[0].read_text()


@pytest.mark.skipif(shutil.which("xmllint") is None, reason="xmllint absent")
def test_demo_output_passes_xmllint_with_the_official_xsd(tmp_path, capsys, official_xsd_path):
    run(capsys, "demo", "-o", str(tmp_path))
    for path in tmp_path.glob("*.xml"):
        result = subprocess.run(
            ["xmllint", "--noout", "--schema", str(official_xsd_path), str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_build_json_lists_files_and_findings(tmp_path, capsys):
    good = make_passage(1)
    bad = make_passage(2, dateFinExamen=datetime.date(2026, 6, 1))  # before its start
    source = write_csv(tmp_path / "in.csv", [good, bad])
    code, out, _ = run(
        capsys,
        "build",
        str(source),
        "-o",
        str(tmp_path / "out"),
        "--json",
        "--now",
        "2026-07-01T10:00:00",
    )
    assert code == 1  # a blocking finding
    payload = json.loads(out)
    assert payload["compteurs"]["deposes"] == 1
    assert payload["compteurs"]["ecartes"] == 1
    assert payload["fichiers"][0]["horodatage"] == "2026-07-01T10:00:00+02:00"
    blocking = [f for f in payload["anomalies"] if f["severity"] == "blocking"]
    assert any(f.get("dico_id") == "5.7" for f in blocking)


def test_build_without_findings_exits_zero(tmp_path, capsys):
    source = write_csv(tmp_path / "in.csv", [make_passage(1), make_passage(2)])
    code, out, _ = run(capsys, "build", str(source), "-o", str(tmp_path / "out"))
    assert code == 0, out
    assert "2 prêts à déposer" in out


def test_build_on_a_missing_file_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(capsys, "build", str(tmp_path / "absent.csv"), "-o", str(tmp_path))
    assert code == 2
    assert "accrochage" in err


def test_validate_reports_rule_findings_of_a_written_file(tmp_path, capsys):
    from accrochage.writer import write_deposit

    passage = make_passage(1, dateFinValidite=None)
    (path,) = [f.path for f in write_deposit([passage], tmp_path, version="1.1.2")]
    code, out, _ = run(capsys, "validate", str(path), "--json")
    payload = json.loads(out)
    assert payload["passages"] == 1
    assert payload["conforme"] is True
    assert code == 0


def test_validate_flags_a_broken_file(tmp_path, capsys):
    path = tmp_path / "broken.xml"
    path.write_text("<flux><idFlux>", encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 1
    assert "NON conforme" in out


def test_validate_against_the_official_xsd(tmp_path, capsys, official_xsd_path):
    from accrochage.writer import write_deposit

    (path,) = [f.path for f in write_deposit([make_passage(1)], tmp_path)]
    code, out, _ = run(capsys, "validate", str(path), "--xsd", str(official_xsd_path))
    assert code == 0, out
    assert "XSD officiel" in out


RECEIPT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<rapport xmlns:ns2="urn:cdc:cpf:pc5:rapport:schema">
  <nomFichier>depot.xml</nomFichier>
  <idFlux>6e3c7378-bda4-497a-9bd6-dc203f903ed9</idFlux>
  <idTraitement>13407</idTraitement>
  <PassagesKO>
    <passage><idTechnique>P-000002</idTechnique>
      <messageErreur>Aucun titulaire ne correspond aux critères obligatoires</messageErreur>
    </passage>
  </PassagesKO>
  <PassagesOK><idTechnique>P-000001</idTechnique></PassagesOK>
</rapport>
"""


def test_receipt_summary_and_exit_code(tmp_path, capsys):
    path = tmp_path / "at.xml"
    path.write_text(RECEIPT, encoding="utf-8")
    code, out, _ = run(capsys, "receipt", str(path))
    assert code == 1
    assert "1 passage(s) accepté(s), 1 rejeté(s)" in out
    assert "P-000002" in out
    code, out, _ = run(capsys, "receipt", str(path), "--json")
    payload = json.loads(out)
    assert payload["acceptes"] == ["P-000001"]
    assert payload["rejetes"][0]["idTechnique"] == "P-000002"
    assert payload["rejetes"][0]["conseil"]


def test_receipt_refuses_an_entity_bomb_cleanly(tmp_path, capsys):
    path = tmp_path / "bomb.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        "<rapport>&b;</rapport>",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "receipt", str(path))
    assert code == 2
    assert err.strip()
