"""The streaming writer: files a certifier can deposit as they are."""

import datetime
import os
import uuid

import pytest
from lxml import etree

from accrochage import writer
from accrochage.dictionary import get_schema
from accrochage.exceptions import AccrochageError, DocumentInvalid
from accrochage.values import to_xml_text
from accrochage.writer import DepositFile, paris_timestamp, validate_file, write_deposit
from accrochage.xsd import load_schema
from tests.conftest import FIXED_NOW, ROOT
from tests.factories import make_passage, make_passages
from tests.mutations import passage_sets

GOLDEN = ROOT / "tests" / "golden" / "deposit-1.1.2.xml"
SCHEMA = get_schema("1.1.2")
NS = {"cpf": SCHEMA.namespace}
XSI = "{http://www.w3.org/2001/XMLSchema-instance}nil"


def parse(path):
    return etree.parse(str(path))


def valid(path, version="1.1.2"):
    return load_schema(version).validate(parse(path))


def texts(path, name):
    return [e.text for e in parse(path).iter(f"{{{SCHEMA.namespace}}}{name}")]


def without_titulaire(passage):
    for node in SCHEMA.leaves:
        if "/titulaire/" in node.path:
            passage.pop(node.key, None)
    return passage


# --- golden output ---------------------------------------------------------


def golden_passages():
    return passage_sets()["mixed"] + passage_sets()["several"]


def test_same_input_clock_and_seed_give_identical_bytes(tmp_path):
    [first] = write_deposit(golden_passages(), tmp_path / "a", now=FIXED_NOW, flux_seed="")
    [second] = write_deposit(golden_passages(), tmp_path / "b", now=FIXED_NOW, flux_seed="")
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.id_flux == second.id_flux


def test_nc5_1_1_id_flux_is_unique_per_file_even_in_the_same_second(tmp_path):
    """NC5 #1.1: "UUID unique pour chaque fichier envoyé". Two builds of
    different (or even identical) passages at the same clock never share one."""
    same = [make_passage(1)]
    other = [make_passage(1, nomNaissance="AUTRE")]
    built = [
        write_deposit(passages, tmp_path / str(index), now=FIXED_NOW)[0]
        for index, passages in enumerate((same, same, other))
    ]
    ids = [f.id_flux for f in built]
    assert len(set(ids)) == 3
    assert all(uuid.UUID(i).version == 4 for i in ids)
    for written in built:
        root = parse(written.path).getroot()
        assert root.findtext("cpf:idFlux", namespaces=NS) == written.id_flux


def test_a_seed_gives_other_ids_for_other_seeds(tmp_path):
    [a] = write_deposit(make_passages(1), tmp_path / "a", now=FIXED_NOW, flux_seed="a")
    [b] = write_deposit(make_passages(1), tmp_path / "b", now=FIXED_NOW, flux_seed="b")
    assert a.id_flux != b.id_flux and uuid.UUID(a.id_flux).version == 5


def test_output_matches_the_golden_file(tmp_path):
    """The checked-in file was written by this writer; a change in output
    must be deliberate (regenerate with ACCROCHAGE_REGEN_GOLDEN=1)."""
    [written] = write_deposit(golden_passages(), tmp_path, now=FIXED_NOW, flux_seed="")
    if os.environ.get("ACCROCHAGE_REGEN_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_bytes(written.path.read_bytes())
    assert written.path.read_bytes() == GOLDEN.read_bytes()
    assert valid(GOLDEN)


def test_golden_file_validates_against_the_official_xsd(official_xsd):
    assert official_xsd.validate(parse(GOLDEN))


def test_another_clock_changes_horodatage_and_id_flux(tmp_path):
    [a] = write_deposit(make_passages(2), tmp_path / "a", now=FIXED_NOW, flux_seed="")
    later = FIXED_NOW + datetime.timedelta(seconds=1)
    [b] = write_deposit(make_passages(2), tmp_path / "b", now=later, flux_seed="")
    assert a.id_flux != b.id_flux and a.horodatage != b.horodatage


# --- envelope --------------------------------------------------------------


def test_result_describes_each_file(tmp_path):
    [written] = write_deposit(make_passages(3), tmp_path, now=FIXED_NOW)
    assert isinstance(written, DepositFile)
    assert written.passage_ids == ("P-000001", "P-000002", "P-000003")
    assert written.passage_count == 3
    assert written.size == written.path.stat().st_size
    assert written.horodatage == "2026-11-26T15:30:45+01:00"
    assert uuid.UUID(written.id_flux).version == 4
    root = parse(written.path).getroot()
    assert root.findtext("cpf:idFlux", namespaces=NS) == written.id_flux
    assert root.findtext("cpf:horodatage", namespaces=NS) == written.horodatage
    assert (written.id_client_emetteur, written.id_client_certificateur) == ("12ABC345",) * 2
    assert written.id_contrat == "MCFCER000123"
    assert root.nsmap == {"cpf": SCHEMA.namespace, "xsi": XSI[1:].split("}")[0]}


def test_one_file_per_certificateur_and_one_certification_per_code(tmp_path):
    passages = [
        make_passage(1),
        make_passage(2, idClientCertificateur="77CERT77", type="RS", code="RS5875"),
        make_passage(3, type="RS", code="RS5875"),
        make_passage(4),
        make_passage(5, idClientCertificateur="77CERT77", type="RS", code="RS5875"),
        make_passage(6, idContrat="MCFCER000999"),
    ]
    files = write_deposit(passages, tmp_path, now=FIXED_NOW)
    by_certificateur = {(f.id_client_certificateur, f.id_contrat): f for f in files}
    assert set(by_certificateur) == {
        ("12ABC345", "MCFCER000123"),
        ("77CERT77", "MCFCER000123"),
        ("12ABC345", "MCFCER000999"),
    }
    main = by_certificateur["12ABC345", "MCFCER000123"]
    assert texts(main.path, "code") == ["RNCP35726", "RS5875"]
    assert main.passage_ids == ("P-000001", "P-000004", "P-000003")
    assert len({f.path.name for f in files}) == 3
    for written in files:
        assert valid(written.path)
        assert len(texts(written.path, "certificateur")) == 1
        assert written.path.name.isascii()


def alternating(count, **overrides):
    """Passages whose certification changes at every one (a stream sorted by name)."""
    return (
        make_passage(
            i, code="RS5875" if i % 2 else "RNCP35726", type="RS" if i % 2 else "RNCP", **overrides
        )
        for i in range(1, count + 1)
    )


def test_an_iterator_is_written_in_one_pass(tmp_path):
    """Unsorted iterators still give valid files, one per certificateur, and
    a certification met again after another is written with its own: not one
    ``certification`` element per passage."""
    seen = []
    [written] = write_deposit(
        alternating(6), tmp_path, now=FIXED_NOW, progress=lambda d, t: seen.append((d, t))
    )
    assert valid(written.path) and written.passage_count == 6
    assert seen == [(6, None)]
    assert texts(written.path, "code") == ["RS5875", "RNCP35726", "RS5875"]
    assert written.passage_ids == tuple(f"P-{i:06d}" for i in (1, 2, 4, 6, 3, 5))


def test_a_bad_passage_kept_for_later_still_leaves_no_file(tmp_path):
    def passages():
        yield from alternating(4)
        yield make_passage(5, code="RS5875", type="RS", sexe="X")  # kept for later

    with pytest.raises(DocumentInvalid, match="P-000005"):
        write_deposit(passages(), tmp_path, now=FIXED_NOW)
    assert list(tmp_path.iterdir()) == []


def test_progress_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "PROGRESS_EVERY", 2)
    seen = []
    write_deposit(make_passages(5), tmp_path, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_files_are_split_at_max_passages(tmp_path):
    files = write_deposit(make_passages(5), tmp_path, now=FIXED_NOW, max_passages=2)
    assert [f.passage_count for f in files] == [2, 2, 1]
    assert [f.path.name[-7:] for f in files] == ["001.xml", "002.xml", "003.xml"]
    assert len({f.id_flux for f in files}) == 3
    assert sum((f.passage_ids for f in files), ()) == tuple(f"P-{i:06d}" for i in range(1, 6))
    assert all(valid(f.path) for f in files)


@pytest.mark.parametrize("limit", [4_000, 6_500, 9_000, 13_000])
def test_files_are_split_before_max_bytes(tmp_path, limit, monkeypatch):
    monkeypatch.setattr(writer, "BATCH", 3)
    passages = make_passages(8) + make_passages(4, type="RS", code="RS5875")
    for index, passage in enumerate(passages[8:]):
        passage["idTechnique"] = f"RS-{index}"
    files = write_deposit(passages, tmp_path, now=FIXED_NOW, max_bytes=limit)
    assert len(files) > 1
    for written in files:
        assert written.size == written.path.stat().st_size <= limit
        assert valid(written.path)
    assert sum(f.passage_count for f in files) == 12


def test_a_passage_larger_than_the_limit_gets_a_file_of_its_own(tmp_path):
    files = write_deposit(make_passages(2), tmp_path, max_bytes=100)
    assert [f.passage_count for f in files] == [1, 1]


def test_existing_files_are_not_overwritten(tmp_path):
    [first] = write_deposit(make_passages(1), tmp_path, now=FIXED_NOW)
    content = first.path.read_bytes()
    [second] = write_deposit(make_passages(2), tmp_path, now=FIXED_NOW)
    assert second.path != first.path and first.path.read_bytes() == content


def test_limits_must_be_positive(tmp_path):
    with pytest.raises(AccrochageError, match="positives"):
        write_deposit(make_passages(1), tmp_path, max_passages=0)


# --- passage content -------------------------------------------------------


def passage_element(passage):
    plan = writer._plan("1.1.2")
    text = plan.passage(passage).encode("utf-8")
    return etree.fromstring(plan.container_open + text + plan.container_close)[0]


def test_unknown_required_values_are_nil_and_optional_ones_omitted():
    element = passage_element(make_passage(nomUsage=None, moisNaissance=None, prenom2=None))
    nils = {etree.QName(e).localname for e in element.iter() if e.get(XSI) == "true"}
    assert nils == {"nomUsage", "moisNaissance", "dateFinValidite", "scoring"}
    names = {etree.QName(e).localname for e in element.iter()}
    assert "prenom2" not in names and "niveauNumeriqueEuropeen" not in names
    assert all(e.text is None for e in element.iter() if e.get(XSI))


def test_unknown_birth_place_is_written_as_a_nil_postal_code():
    element = passage_element(make_passage(codeInsee=None))
    [place] = element.iterfind(".//cpf:codeCommuneNaissance", NS)
    assert [etree.QName(e).localname for e in place.iter()][1:] == [
        "codePostalNaissance",
        "codePostal",
    ]
    assert place[0][0].get(XSI) == "true"


def test_the_branch_with_data_is_chosen():
    postal = passage_element(make_passage(codeInsee=None, codePostal="75009"))
    assert postal.findtext(".//cpf:codePostal", namespaces=NS) == "75009"
    dossier = passage_element(
        without_titulaire(
            make_passage(idDossier="1234567890123", nomTitulaire="A", prenom1Titulaire="B")
        )
    )
    [identification] = dossier.iterfind("cpf:identificationTitulaire", NS)
    assert [etree.QName(e).localname for e in identification] == ["dossierFormation"]


def test_digcomp_results_are_repeated_and_empty_blocks_omitted():
    results = [{"niveau": 5, "domaineCompetenceId": "3", "competenceId": "4"}, {"niveau": 7}]
    element = passage_element(make_passage(resultats=results, presenceNiveauNumeriqueEuro=True))
    assert [
        r.findtext("cpf:niveau", namespaces=NS) for r in element.iterfind(".//cpf:resultat", NS)
    ] == ["5", "7"]
    empty = passage_element(make_passage(resultats=[], scoreGeneral=None))
    assert empty.find(".//cpf:niveauNumeriqueEuropeen", NS) is None


def test_special_characters_are_escaped_and_accents_kept(tmp_path):
    [written] = write_deposit(
        [make_passage(libelleOption="A & B <c> \"d\" 'e'\r", nomNaissance="ÉTIENNE-LŒUF")],
        tmp_path,
    )
    assert texts(written.path, "libelleOption") == ["A & B <c> \"d\" 'e'\r"]
    assert texts(written.path, "nomNaissance") == ["ÉTIENNE-LŒUF"]


@pytest.mark.parametrize(
    "key, value",
    [
        ("donneeCertifiee", False),
        ("donneeCertifiee", True),
        ("anneeNaissance", 1990),
        ("dateDebutValidite", datetime.date(2026, 1, 2)),
        ("dateDebutValidite", datetime.datetime(2026, 1, 2, 3, 4)),
        ("anneeNaissance", 1990.0),
        ("codePostalCentreExamen", 69003),
        ("moisNaissance", "05"),
    ],
)
def test_values_are_written_as_to_xml_text_says(key, value):
    """The compiled fast paths give the same text as values.to_xml_text."""
    element = passage_element(make_passage(**{key: value}))
    assert element.findtext(f".//cpf:{key}", namespaces=NS) == to_xml_text(
        SCHEMA.by_key[key], value
    )


def test_version_1_1_5_writes_action_and_a_13_character_nir(tmp_path):
    passage = make_passage(nir="269054958815780")
    [written] = write_deposit([passage], tmp_path, version="1.1.5", action="SUPPRESSION")
    assert valid(written.path, "1.1.5")
    assert texts(written.path, "action") == ["SUPPRESSION"]
    assert texts(written.path, "nir") == ["2690549588157"]
    assert texts(written.path, "titulaire") == []  # the NIR branch comes first


# --- validation ------------------------------------------------------------


def test_an_invalid_passage_is_named_with_its_field_in_french(tmp_path):
    passages = make_passages(3)
    passages[1]["anneeNaissance"] = 1850
    with pytest.raises(DocumentInvalid) as caught:
        write_deposit(passages, tmp_path, now=FIXED_NOW)
    error = caught.value
    assert str(error).startswith("Passage P-000002 : Année de naissance (#8.6")
    assert (error.field, error.dico_id) == ("anneeNaissance", "8.6")
    assert "1850" not in error.detail and "minInclusive" in error.detail  # no birth data
    assert list(tmp_path.iterdir()) == []  # nothing left behind


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"prenom1": None}, "prenom1", "est vide : renseignez-le"),
        ({"mentionValidee": ""}, "mentionValidee", 'xsi:nil="true"'),
        ({"sexe": "X"}, "sexe", "une valeur parmi M, F"),
        ({"idTechnique": "x" * 256}, "idTechnique", "1 à 255"),
    ],
)
def test_messages_say_what_to_fix(tmp_path, overrides, field, words):
    with pytest.raises(DocumentInvalid) as caught:
        write_deposit([make_passage(**overrides)], tmp_path)
    assert caught.value.field == field and words in str(caught.value)


def test_an_invalid_envelope_is_reported_before_writing(tmp_path):
    with pytest.raises(DocumentInvalid) as caught:
        write_deposit([make_passage(idClientCertificateur="123")], tmp_path)
    assert str(caught.value).startswith(
        "Enveloppe du fichier : Identifiant client du certificateur"
    )
    assert caught.value.field == "idClientCertificateur"
    assert list(tmp_path.iterdir()) == []


def test_files_finished_before_an_error_are_removed(tmp_path):
    passages = make_passages(4) + [make_passage(9, sexe="X")]
    with pytest.raises(DocumentInvalid):
        write_deposit(passages, tmp_path, max_passages=2)
    assert list(tmp_path.iterdir()) == []


def test_later_batches_are_checked_too(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "BATCH", 2)
    passages = make_passages(7)
    passages[6]["dateDebutValidite"] = "2026-02-30"
    with pytest.raises(DocumentInvalid, match="Passage P-000007 : Date de délivrance"):
        write_deposit(passages, tmp_path)


@pytest.mark.parametrize("where", ["passage", "envelope"])
def test_control_characters_are_refused_with_the_passage(tmp_path, where):
    overrides = {"libelleOption": "a\x01b"} if where == "passage" else {"code": "RS\x02"}
    with pytest.raises(DocumentInvalid, match="caractère interdit"):
        write_deposit([make_passage(1), make_passage(2, **overrides)], tmp_path)


def test_a_control_character_in_a_later_passage_is_located(tmp_path):
    with pytest.raises(DocumentInvalid, match="Passage P-000003 : .*caractère interdit"):
        write_deposit(make_passages(2) + [make_passage(3, verbatim="\x0b")], tmp_path)


def test_values_of_an_unexpected_type_are_refused(tmp_path):
    with pytest.raises(DocumentInvalid, match="Passage P-000001 : une valeur n'a pas le type"):
        write_deposit([make_passage(nomNaissance=["MARTIN"])], tmp_path)


def test_without_validation_an_invalid_file_is_written(tmp_path):
    [written] = write_deposit([make_passage(sexe="X")], tmp_path, validate=False)
    assert not valid(written.path)


def test_all_errors_of_the_passage_are_kept(tmp_path):
    with pytest.raises(DocumentInvalid) as caught:
        write_deposit([make_passage(sexe="X", anneeNaissance=3000)], tmp_path)
    assert {f.field for f in caught.value.findings} == {"sexe", "anneeNaissance"}
    assert all(f.passage == "P-000001" for f in caught.value.findings)


# --- the clock -------------------------------------------------------------


@pytest.mark.parametrize(
    "now, expected",
    [
        (datetime.datetime(2026, 1, 15, 8, 0, 0, 999999), "2026-01-15T08:00:00+01:00"),
        (datetime.datetime(2026, 7, 1, 23, 59, 59), "2026-07-01T23:59:59+02:00"),
        (datetime.datetime(2026, 3, 29, 1, 59, 59), "2026-03-29T01:59:59+01:00"),
        (datetime.datetime(2026, 3, 29, 3, 0), "2026-03-29T03:00:00+02:00"),
        (datetime.datetime(2026, 3, 29, 2, 30), "2026-03-29T03:30:00+02:00"),  # skipped hour
        (datetime.datetime(2026, 10, 25, 2, 30), "2026-10-25T02:30:00+02:00"),
        (datetime.datetime(2026, 10, 25, 2, 30, fold=1), "2026-10-25T02:30:00+01:00"),
        (
            datetime.datetime(2026, 7, 1, 22, 30, tzinfo=datetime.timezone.utc),
            "2026-07-02T00:30:00+02:00",
        ),
        (
            datetime.datetime(
                2026, 12, 31, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))
            ),
            "2027-01-01T05:30:00+01:00",
        ),
    ],
)
@pytest.mark.parametrize("with_tzdata", [True, False])
def test_horodatage_is_paris_time_with_its_offset(now, expected, with_tzdata, monkeypatch):
    if with_tzdata and writer._paris_zone() is None:
        pytest.skip("no tz database here")
    if not with_tzdata:
        monkeypatch.setattr(writer, "_paris_zone", lambda: None)
    assert paris_timestamp(now) == expected


def test_fallback_rules_agree_with_the_tz_database():
    zone = writer._paris_zone()
    if zone is None:
        pytest.skip("no tz database here")
    moment = datetime.datetime(2024, 1, 1, 0, 30)
    while moment.year < 2028:  # every hour of four years, both folds
        for fold in (0, 1):
            wall = moment.replace(fold=fold)
            assert writer._fallback_wall_to_utc(wall) == (
                wall.replace(tzinfo=zone).astimezone(datetime.timezone.utc).replace(tzinfo=None)
            ), wall
        utc = moment.replace(tzinfo=datetime.timezone.utc)
        assert paris_timestamp(utc, zone=False) == paris_timestamp(utc, zone=zone)
        moment += datetime.timedelta(hours=1)


def test_default_clock_is_now(monkeypatch):
    stamp = paris_timestamp()
    assert len(stamp) == 25 and stamp[-6:] in ("+01:00", "+02:00")


# --- validate_file ---------------------------------------------------------


def test_validate_file_reports_every_bad_passage_with_its_line(tmp_path):
    passages = make_passages(5) + [make_passage(6, type="RS", code="RS5875")]
    passages[1]["sexe"] = "X"
    passages[3]["anneeNaissance"] = 1850
    passages[5]["moisNaissance"] = 13
    [written] = write_deposit(passages, tmp_path, validate=False)
    findings = validate_file(written.path)
    assert [(f.passage, f.field) for f in findings] == [
        ("P-000002", "sexe"),
        ("P-000004", "anneeNaissance"),
        ("P-000006", "moisNaissance"),
    ]
    lines = written.path.read_text(encoding="utf-8").splitlines()
    for finding in findings:
        assert finding.passage in lines[finding.row - 1]
        assert finding.blocking and "ligne" in str(finding)


def test_validate_file_reports_the_envelope(tmp_path):
    [written] = write_deposit(make_passages(2), tmp_path)
    text = written.path.read_text(encoding="utf-8").replace(
        "<cpf:idContrat>MCFCER000123</cpf:idContrat>", ""
    )
    written.path.write_text(text.replace("<cpf:code>RNCP35726</cpf:code>", "<cpf:code></cpf:code>"))
    findings = validate_file(written.path)
    assert {(f.field, f.code, f.passage) for f in findings} == {
        ("idContrat", "xsd_missing", None),
        ("code", "xsd_value", None),
    }


def test_validate_file_with_the_official_xsd(tmp_path, official_xsd_path):
    passages = make_passages(3)
    passages[2]["codePostal"] = "75009"  # both birth-place forms
    [written] = write_deposit(passages, tmp_path, validate=False)
    text = written.path.read_text(encoding="utf-8").replace(
        "</cpf:codeInseeNaissance>",
        "</cpf:codeInseeNaissance><cpf:codePostalNaissance><cpf:codePostal>75009"
        "</cpf:codePostal></cpf:codePostalNaissance>",
    )
    written.path.write_text(text, encoding="utf-8")
    for xsd in (None, official_xsd_path):
        findings = validate_file(written.path, xsd=xsd)
        assert {(f.passage, f.code) for f in findings} == {
            (f"P-00000{i}", "xsd_choice") for i in (1, 2, 3)
        }
        assert "un seul élément parmi" in findings[0].message


def test_validate_file_reports_malformed_xml(tmp_path):
    path = tmp_path / "f.xml"
    path.write_text("<cpf:flux xmlns:cpf='urn:cdc:cpf:pc5:schema:1.0.0'>\n<a>", encoding="utf-8")
    [finding] = validate_file(path)
    assert finding.code == "xml_syntax" and finding.row == 2


def test_validate_file_reports_a_wrong_namespace(tmp_path):
    [written] = write_deposit(make_passages(1), tmp_path)
    text = written.path.read_text(encoding="utf-8").replace("schema:1.0.0", "schema:0.0.7")
    written.path.write_text(text, encoding="utf-8")
    codes = {f.code for f in validate_file(written.path)}
    assert codes == {"xsd_root"}


def test_validate_file_reports_unknown_and_duplicate_elements(tmp_path):
    [written] = write_deposit(make_passages(2), tmp_path)
    text = written.path.read_text(encoding="utf-8")
    text = text.replace("<cpf:sexe>F</cpf:sexe>", "<cpf:sexe>F</cpf:sexe><cpf:sexe>F</cpf:sexe>", 1)
    text = text.replace(
        "</cpf:passageCertification>\n</cpf:passage",
        "<cpf:x/></cpf:passageCertification>\n</cpf:passage",
    )
    written.path.write_text(text, encoding="utf-8")
    findings = validate_file(written.path)
    assert [(f.passage, f.code) for f in findings] == [
        ("P-000001", "xsd_duplicate"),
        ("P-000002", "xsd_unknown"),
    ]


def test_validate_file_refuses_an_unreadable_path(tmp_path):
    with pytest.raises(AccrochageError, match="illisible"):
        validate_file(tmp_path / "absent.xml")


def test_validate_file_reports_a_passage_without_envelope(tmp_path):
    plan = writer._plan("1.1.2")
    path = tmp_path / "f.xml"
    opening = plan.container_open.decode().replace("passageCertifications", "passageCertification")
    text = plan.passage(make_passage()).replace("<cpf:passageCertification>", opening, 1)
    path.write_bytes(text.encode())
    assert [f.code for f in validate_file(path)] == ["xsd_root"]


def test_validate_file_agrees_with_the_schema_on_the_whole_corpus(tmp_path):
    """Every mutated document: findings exactly when the schema refuses it,
    each one in French, and never a birth year in the raw detail."""
    from tests.mutations import corpus

    schema = load_schema("1.1.2")
    codes = set()
    for index, (name, data) in enumerate(corpus()):
        path = tmp_path / f"{index}.xml"
        path.write_bytes(data)
        findings = validate_file(path)
        assert (findings == []) == schema.validate(etree.fromstring(data)), name
        for finding in findings:
            codes.add(finding.code)
            assert finding.message.endswith(".") and finding.row, name
            if "anneeNaissance" in name:
                assert "1899" not in (finding.detail or "") and "2100" not in finding.message
    assert {"xsd_missing", "xsd_value", "xsd_choice", "xsd_duplicate", "xsd_unknown"} <= codes


@pytest.mark.parametrize(
    "old, new, words",
    [
        (
            "<cpf:idTechnique>P-000001</cpf:idTechnique>",
            '<cpf:idTechnique xsi:nil="true"/>',
            "ne peut pas être laissé vide (nil)",
        ),
        (
            '<cpf:scoring xsi:nil="true"/>',
            '<cpf:scoring xsi:nil="true">12</cpf:scoring>',
            "et une valeur",
        ),
        ("<cpf:titulaire>", "<cpf:titulaire>texte", "ne respecte pas le schéma"),
    ],
)
def test_validate_file_explains_nil_and_content_errors(tmp_path, old, new, words):
    [written] = write_deposit([make_passage()], tmp_path)
    written.path.write_text(written.path.read_text(encoding="utf-8").replace(old, new, 1))
    finding = validate_file(written.path)[0]
    assert words in finding.message
    assert finding.passage == (None if "idTechnique" in old else "P-000001")


def test_many_batches_in_flight_keep_their_order(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "BATCH", 1)
    [written] = write_deposit(make_passages(40), tmp_path)
    assert written.passage_ids == tuple(f"P-{i:06d}" for i in range(1, 41))
    assert texts(written.path, "idTechnique") == list(written.passage_ids)


def test_no_tz_database_means_the_fallback(monkeypatch):
    import zoneinfo

    def missing(key):
        raise zoneinfo.ZoneInfoNotFoundError(key)

    monkeypatch.setattr(zoneinfo, "ZoneInfo", missing)
    assert writer._paris_zone() is None
    assert paris_timestamp(datetime.datetime(2026, 8, 1, 12)) == "2026-08-01T12:00:00+02:00"
