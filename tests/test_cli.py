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


def run(capsys, *argv):  # noqa: D103
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
    assert payload["compteurs"]["ecrites"] == 1
    assert payload["compteurs"]["ecartees"] == 1
    assert payload["compteurs"]["lignes"] == 2
    assert payload["fichiers"][0]["horodatage"] == "2026-07-01T10:00:00+02:00"
    blocking = [f for f in payload["anomalies"] if f["severity"] == "blocking"]
    assert any(f.get("dico_id") == "5.7" for f in blocking)


def test_build_without_findings_exits_zero(tmp_path, capsys):
    source = write_csv(tmp_path / "in.csv", [make_passage(1), make_passage(2)])
    code, out, _ = run(capsys, "build", str(source), "-o", str(tmp_path / "out"))
    assert code == 0, out
    assert "2 lignes lues = 2 écrites + 0 écartée." in out


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


# -- one pipeline behind build, validate and demo ------------------------------

NAMES = ("MARTIN", "DURAND", "PETIT", "LEROY", "MOREAU", "SIMON", "LAURENT", "MICHEL")


def holder(index, **overrides):
    """A valid passage of a holder of its own."""
    name = NAMES[index % len(NAMES)] + "ABCDEFGHIJ"[index // len(NAMES) % 10]
    return make_passage(index, **{"nomNaissance": name, **overrides})


def test_build_blocks_a_repeated_id_on_every_row(tmp_path, capsys):
    rows = [holder(1), holder(2), holder(3, idTechnique="P-000001")]
    source = write_csv(tmp_path / "in.csv", rows)
    code, out, _ = run(capsys, "build", str(source), "-o", str(tmp_path / "out"))
    assert code == 1
    assert "3 lignes lues = 1 écrite + 2 écartées." in out
    assert "ligne 3 ; passage P-000001" in out and "figure aussi ligne 5" in out
    (written,) = (tmp_path / "out").glob("*.xml")
    assert "P-000001" not in written.read_text(encoding="utf-8")
    report = (tmp_path / "out" / "rapport-anomalies.csv").read_text(encoding="utf-8-sig")
    assert report.count("duplicate_id") == 0 and report.count("figure aussi") == 2


def test_validate_blocks_a_repeated_id(tmp_path, capsys):
    from accrochage.writer import write_deposit

    (written,) = write_deposit([holder(1), holder(2, idTechnique="P-000001")], tmp_path)
    code, out, _ = run(capsys, "validate", str(written.path))
    assert code == 1
    assert "2 passage(s), NON conforme" in out and out.count("figure aussi ligne") == 2
    code, out, _ = run(capsys, "validate", str(written.path), "--json")
    payload = json.loads(out)
    assert code == 1 and payload["conforme"] is False
    assert [f["code"] for f in payload["anomalies"]] == ["duplicate_id", "duplicate_id"]


def test_json_after_a_restart_lists_each_finding_once(tmp_path, capsys):
    rows = [holder(1), holder(2), holder(3, idTechnique="P-000001"), holder(4)]
    source = write_csv(tmp_path / "in.csv", rows)
    code, out, _ = run(capsys, "build", str(source), "-o", str(tmp_path / "out"), "--json")
    payload = json.loads(out)
    assert code == 1
    assert [(f["row"], f["code"]) for f in payload["anomalies"]] == [
        (3, "duplicate_id"),
        (5, "duplicate_id"),
    ]
    assert payload["compteurs"]["ecrites"] == 2 and payload["compteurs"]["lignes"] == 4


def test_build_blocks_ids_the_cdc_already_recorded(tmp_path, capsys):
    source = write_csv(tmp_path / "in.csv", [holder(n) for n in (1, 2, 3)])
    ids = tmp_path / "deja.txt"
    ids.write_text("P-000001\n", encoding="utf-8")
    receipt = tmp_path / "at.xml"
    receipt.write_text(RECEIPT.replace("P-000001", "P-000003"), encoding="utf-8")
    code, out, _ = run(
        capsys,
        "build",
        str(source),
        "-o",
        str(tmp_path / "out"),
        "--accepted-ids",
        str(ids),
        "--accepted-receipts",
        str(receipt),
        "--json",
    )
    payload = json.loads(out)
    assert code == 1
    assert [f["passage"] for f in payload["anomalies"]] == ["P-000001", "P-000003"]
    assert {f["code"] for f in payload["anomalies"]} == {"already_accepted"}
    assert payload["compteurs"]["ecrites"] == 1


def test_the_summary_counts_per_rule_and_shows_the_first_twenty(tmp_path, capsys):
    rows = [holder(n, moisNaissance=2, jourNaissance=31) for n in range(1, 31)] + [holder(31)]
    source = write_csv(tmp_path / "in.csv", rows)
    code, out, _ = run(capsys, "build", str(source), "-o", str(tmp_path / "out"))
    assert code == 1
    assert "31 lignes lues = 1 écrite + 30 écartées." in out
    assert "30 bloquante(s)" in out
    assert "30 × bloquant      birth_date_invalid" in out and "#8.8 jourNaissance" in out
    assert "Premières anomalies (20 sur 30)" in out
    assert out.count("[bloquant] ligne") == 20
    assert f"Rapport complet : {tmp_path / 'out' / 'rapport-anomalies.csv'}" in out


def test_json_is_whole_and_does_not_echo_a_huge_value(tmp_path, capsys):
    huge = "A" * 120_000  # under the csv module's field limit (see the importer's tests)
    source = write_csv(tmp_path / "in.csv", [holder(1, nomNaissance=huge), holder(2)])
    code, out, _ = run(capsys, "build", str(source), "-o", str(tmp_path / "out"), "--json")
    payload = json.loads(out)
    assert code == 1 and payload["compteurs"]["ecartees"] == 1
    assert len(out) < 20_000
    code, out, _ = run(capsys, "build", str(source), "-o", str(tmp_path / "out2"))
    assert len(out) < 5_000  # the console shows each finding once, cut
    report = (tmp_path / "out2" / "rapport-anomalies.csv").read_text(encoding="utf-8-sig")
    assert max(len(cell) for line in report.splitlines() for cell in line.split(";")) <= 32_767


def test_build_and_validate_print_the_schema_notice_once(tmp_path, capsys, monkeypatch):
    schema = get_schema("1.1.2")
    monkeypatch.setattr(schema, "notice", "schéma reconstitué : vérifiez-le", raising=False)
    source = write_csv(tmp_path / "in.csv", [holder(1)])
    code, out, _ = run(capsys, "build", str(source), "-o", str(tmp_path / "out"))
    assert code == 0 and out.count("schéma reconstitué") == 1
    (written,) = (tmp_path / "out").glob("*.xml")
    code, out, _ = run(capsys, "validate", str(written))
    assert code == 0 and out.count("schéma reconstitué") == 1
    code, out, _ = run(capsys, "validate", str(written), "--json")
    assert json.loads(out)["avis"] == "schéma reconstitué : vérifiez-le"


def test_spec_2_4_schema_1_1_5_is_said_reconstructed_by_build_and_validate(tmp_path, capsys):
    """Schema 1.1.5 is rebuilt from reported facts (SPEC.md §2.4): the real
    sentence, once, on build and validate of 1.1.5, never on 1.1.2."""
    notice = "schéma 1.1.5 reconstitué : vérifiez-le avec --xsd et le XSD officiel"
    source = write_csv(tmp_path / "in.csv", [holder(1)], version="1.1.5")
    code, out, err = run(capsys, "build", str(source), "-o", str(tmp_path / "out"), "-V", "1.1.5")
    assert code == 0 and (out + err).count(notice) == 1
    (written,) = (tmp_path / "out").glob("*.xml")
    code, out, err = run(capsys, "validate", str(written), "-V", "1.1.5")
    assert code == 0 and (out + err).count(notice) == 1
    code, out, err = run(capsys, "build", str(source), "-o", str(tmp_path / "v2"))
    assert "reconstitué" not in out + err


def test_validate_writes_the_full_report_on_request(tmp_path, capsys):
    from accrochage.writer import write_deposit

    (written,) = write_deposit([holder(1), holder(2, idTechnique="P-000001")], tmp_path)
    report = tmp_path / "rapport.csv"
    code, out, _ = run(capsys, "validate", str(written.path), "--report", str(report))
    assert code == 1 and f"Rapport complet : {report}" in out
    assert report.read_text(encoding="utf-8-sig").count("figure aussi") == 2


def test_strict_counts_warnings(tmp_path, capsys):
    source = write_csv(
        tmp_path / "in.csv",
        [holder(1), holder(2, idTechnique="P-9", nomNaissance=holder(1)["nomNaissance"])],
    )
    code, out, _ = run(capsys, "build", str(source), "-o", str(tmp_path / "out"))
    assert code == 0 and "duplicate_holder" in out
    code, out, _ = run(capsys, "build", str(source), "-o", str(tmp_path / "out2"), "--strict")
    assert code == 1
