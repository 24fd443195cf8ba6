"""The deposit pipeline: what every door (CLI, addon, cron) gets from one job."""

import datetime
import tracemalloc

import pytest
from lxml import etree

from accrochage import pipeline
from accrochage.exceptions import AccrochageError, DocumentInvalid
from accrochage.export import write_passages_csv
from accrochage.findings import BLOCKING, WARNING, Finding
from accrochage.pipeline import (
    DuplicateIds,
    FileSource,
    Options,
    Row,
    find_duplicate_ids,
    run,
)
from tests.factories import make_passage

TODAY = datetime.date(2026, 11, 2)
NOW = datetime.datetime(2026, 11, 2, 9, 30)
OPTIONS = Options(today=TODAY, now=NOW, flux_seed="tests")
NAMES = ("MARTIN", "DURAND", "PETIT", "LEROY", "MOREAU", "SIMON", "LAURENT", "MICHEL")


def holder(index, **overrides):
    """A valid passage of a holder of its own (make_passage gives everyone the same)."""
    return make_passage(index, **{"nomNaissance": NAMES[index % len(NAMES)], **overrides})


def outcomes(source, out_dir=None, **kwargs):
    seen = []
    result = run(
        source, out_dir, options=kwargs.pop("options", OPTIONS), on_row=seen.append, **kwargs
    )
    return result, seen


def cpf_passage(index):
    """A holder known by a CPF file number instead of civil status."""
    passage = make_passage(index, idDossier="1234567890123", nomTitulaire="DUPONT")
    passage.update(prenom1Titulaire="Marie")
    for key in ("nomNaissance", "nomUsage", "prenom1", "prenom2", "anneeNaissance"):
        passage.pop(key)
    for key in ("moisNaissance", "jourNaissance", "sexe", "codeInsee", "libelleCommuneNaissance"):
        passage.pop(key)
    return passage


def codes(outcome):
    return [finding.code for finding in outcome.findings]


def written_ids(files):
    ns = {"cpf": "urn:cdc:cpf:pc5:schema:1.0.0"}
    return [
        text
        for f in files
        for text in etree.parse(str(f.path)).xpath(
            "//cpf:passageCertification/cpf:idTechnique/text()", namespaces=ns
        )
    ]


# -- one idTechnique on two rows ----------------------------------------------


def test_a_repeated_id_blocks_every_row_that_carries_it_and_names_the_others(tmp_path):
    rows = [
        make_passage(1),
        make_passage(2),
        make_passage(1, nomNaissance="DURAND"),
        make_passage(1),
    ]
    result, seen = outcomes(rows, tmp_path)
    assert [o.written for o in seen] == [False, True, False, False]
    assert [codes(o) for o in seen] == [["duplicate_id"], [], ["duplicate_id"], ["duplicate_id"]]
    messages = [o.findings[0].message for o in seen if not o.written]
    assert "lignes 3, 4" in messages[0]
    assert "lignes 1, 4" in messages[1]
    assert "lignes 1, 3" in messages[2]
    assert all("existe déjà en base" in message for message in messages)
    assert written_ids(result.files) == ["P-000002"]
    assert result.counts.line() == "4 lignes lues = 1 écrite + 3 écartées."


def test_ids_are_compared_as_normalisation_leaves_them(tmp_path):
    result, seen = outcomes([make_passage(idTechnique="P-1"), make_passage(idTechnique=" P-1 ")])
    assert [codes(o) for o in seen] == [["duplicate_id"], ["duplicate_id"]]


def test_a_caller_with_a_one_shot_iterator_gives_the_repeated_ids():
    rows = (Row(number, make_passage(1 if number != 12 else 2)) for number in (10, 11, 12))
    duplicates = DuplicateIds.from_mapping({"P-000001": [10, 11], "P-000002": [12]})
    result, seen = outcomes(rows, duplicates=duplicates)
    assert [o.written for o in seen] == [False, False, True]
    assert "ligne 11" in seen[0].findings[0].message
    with pytest.raises(TypeError, match="one-shot"):
        run(iter([make_passage(1)]))


def test_row_labels_come_from_the_caller():
    duplicates = DuplicateIds.from_mapping({"P-000001": [7, 8]})
    rows = [Row(7, make_passage(1)), Row(8, make_passage(1))]
    options = Options(today=TODAY, row_label=lambda origin, row: f"inscription {row}")
    _result, seen = outcomes(rows, duplicates=duplicates, options=options)
    assert "inscription 8" in seen[0].findings[0].message


def test_a_callers_labels_carry_their_article():
    duplicates = DuplicateIds.from_mapping({"P-000001": [7, 8]})
    rows = [Row(7, make_passage(1)), Row(8, make_passage(1))]
    rows += [Row(9, make_passage(2)), Row(10, make_passage(3))]
    options = Options(today=TODAY, row_label=lambda origin, row: f"le passage n° {row}")
    _result, seen = outcomes(rows, duplicates=duplicates, options=options)
    assert "« P-000001 » est aussi porté par le passage n° 8 :" in seen[0].findings[0].message
    assert "même date d'examen que le passage n° 9, sous" in seen[3].findings[0].message


def test_two_ids_with_the_same_hash_are_told_apart_by_their_text():
    origins = pipeline._Origins()
    first, second = origins.pack(None, 1), origins.pack(None, 2)
    # what find_duplicate_ids keeps when "A" and "B" collide: the first text unknown yet
    duplicates = DuplicateIds({hash("A"): [[first, None], [second, "B"]]}, origins)
    duplicates._entries[hash("B")] = duplicates._entries[hash("A")]
    assert duplicates.others(first, "A") == ()
    assert duplicates.others(second, "B") == ()


def test_the_hash_table_probes_past_collisions_and_grows():
    table = pipeline._HashTable(4)
    keys = [8 * k + 3 for k in range(1, 40)]  # all in the same slot of a small table
    assert [table.setdefault(key, index) for index, key in enumerate(keys)] == [None] * 39
    assert [table.setdefault(key, -1) for key in keys] == list(range(39))
    assert len(table) == 39 and table.mask + 1 >= 64
    assert table.setdefault(0, 5) is None and table.setdefault(0, 6) == 5  # 0 is a valid key
    seen = pipeline._HashTable(4, values=False)
    assert [seen.add(key) for key in keys] == [False] * 39
    assert all(seen.add(key) for key in keys) and len(seen) == 39


def test_find_duplicate_ids_skips_blank_ids():
    dup = find_duplicate_ids([(None, 1, None), (None, 2, "  "), (None, 3, "X"), (None, 4, "X")])
    assert len(dup) == 1


# -- ids the CDC already recorded; the same holder twice ----------------------


def test_an_id_already_accepted_by_the_cdc_is_blocked_with_the_reason(tmp_path):
    options = Options(today=TODAY, now=NOW, accepted_ids=frozenset({"P-000002"}))
    result, seen = outcomes([holder(1), holder(2)], tmp_path, options=options)
    assert [codes(o) for o in seen] == [[], ["already_accepted"]]
    message = seen[1].findings[0].message
    assert "existe déjà en base" in message and "nouvel identifiant" in message
    assert written_ids(result.files) == ["P-000001"]


def test_the_same_holder_under_two_ids_is_a_warning_naming_the_first_row(tmp_path):
    again = make_passage(2)  # same holder, certification and exam date as P-000001
    other_exam = make_passage(3, dateDebutExamen=datetime.date(2026, 5, 2))
    result, seen = outcomes(
        [make_passage(1), again, other_exam, cpf_passage(4), cpf_passage(5)], tmp_path
    )
    assert [codes(o) for o in seen] == [[], ["duplicate_holder"], [], [], ["duplicate_holder"]]
    assert seen[1].findings[0].severity == WARNING and "ligne 1" in seen[1].findings[0].message
    assert "ligne 4" in seen[4].findings[0].message
    assert len(written_ids(result.files)) == 5


def test_the_same_holder_outside_the_job_is_named_too(tmp_path):
    """A passage of the database (``holders``) counts for the warning as a
    row would, typed another way or not; it is not reported itself."""
    typed_otherwise = make_passage(7, idTechnique="P-OLD", nomNaissance="  martin ")
    options = Options(today=TODAY, now=NOW, row_label=lambda _origin, row: f"le passage n° {row}")
    result, seen = outcomes(
        [Row(1, make_passage(1, nomNaissance="MARTIN")), Row(2, holder(2))],
        tmp_path,
        options=options,
        holders=[(None, 9, typed_otherwise)],
    )
    assert [o.row for o in seen] == [1, 2]
    assert [codes(o) for o in seen] == [["duplicate_holder"], []]
    assert "que le passage n° 9, sous un autre identifiant" in seen[0].findings[0].message
    assert len(written_ids(result.files)) == 2


def test_read_accepted_ids_from_files_and_receipts(tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("\ufeffP-1\n# commentaire\n\nP-2\n", encoding="utf-8")
    receipt = tmp_path / "at.xml"
    receipt.write_text(
        "<rapport><nomFichier>f.xml</nomFichier><idFlux>x</idFlux>"
        "<PassagesOK><idTechnique>P-3</idTechnique></PassagesOK>"
        "<PassagesKO><passage><idTechnique>P-4</idTechnique><messageErreur>Aucun titulaire "
        "ne correspond aux critères obligatoires</messageErreur></passage></PassagesKO></rapport>",
        encoding="utf-8",
    )
    assert pipeline.read_accepted_ids([ids], [receipt]) == {"P-1", "P-2", "P-3"}
    latin = tmp_path / "latin.txt"
    latin.write_bytes("é\n".encode("latin-1"))
    with pytest.raises(AccrochageError, match="UTF-8"):
        pipeline.read_accepted_ids([latin])


# -- normalised once, the same XML through every door -------------------------


def test_what_is_written_is_normalised_and_the_same_from_a_file_or_from_records(tmp_path):
    typed = [make_passage(1, prenom1="  élodie   marie ", code="rncp 35726"), make_passage(2)]
    source = tmp_path / "in.csv"
    with open(source, "w", encoding="utf-8", newline="") as handle:
        write_passages_csv(typed, handle)
    from_file = run(FileSource([source]), tmp_path / "file", options=OPTIONS)
    from_records = run(typed, tmp_path / "records", options=OPTIONS)
    (a,), (b,) = from_file.files, from_records.files
    assert a.path.read_bytes() == b.path.read_bytes()
    text = a.path.read_text(encoding="utf-8")
    assert "ÉLODIE MARIE" in text and "RNCP35726" in text


def test_what_the_dictionary_derives_is_completed_for_every_door(tmp_path):
    """Presence flags (#5.12, #5.14), the emitter that is the certifier (#2.1)
    and the CPF branch's names (#9.2, #9.3): derived when not given."""
    bare = make_passage(
        1,
        idClientEmetteur=None,
        presenceNiveauLangueEuro=None,
        presenceNiveauNumeriqueEuro=None,
        niveauLangueEuropeen="B2",
    )
    source = tmp_path / "in.csv"
    with open(source, "w", encoding="utf-8", newline="") as handle:
        write_passages_csv([bare], handle)
    for given in (FileSource([source]), [bare]):
        result, seen = outcomes(given, tmp_path / "out", options=OPTIONS)
        assert [codes(o) for o in seen] == [[]]
        text = result.files[0].path.read_text(encoding="utf-8")
        assert "<cpf:presenceNiveauLangueEuro>true</cpf:presenceNiveauLangueEuro>" in text
        assert "<cpf:presenceNiveauNumeriqueEuro>false</cpf:presenceNiveauNumeriqueEuro>" in text
        assert "<cpf:emetteur>\n<cpf:idClient>12ABC345</cpf:idClient>" in text


def test_a_value_given_is_kept_and_checked_as_given():
    contradicted = make_passage(1, presenceNiveauLangueEuro=False, niveauLangueEuropeen="B2")
    prepared = pipeline.prepare_passage(contradicted)
    assert prepared["presenceNiveauLangueEuro"] is False
    _result, seen = outcomes([contradicted])
    assert codes(seen[0]) == ["presence_flag_false"]
    other_emitter = pipeline.prepare_passage(make_passage(1, idClientEmetteur="99ZZZ999"))
    assert other_emitter["idClientEmetteur"] == "99ZZZ999"


def test_the_cpf_branch_names_come_from_the_civil_status_only_with_a_file_number():
    with_file = pipeline.prepare_passage(make_passage(1, idDossier="1234567890123"))
    assert (with_file["nomTitulaire"], with_file["prenom1Titulaire"]) == ("MARTIN", "ÉLODIE")
    assert "nomTitulaire" not in pipeline.prepare_passage(make_passage(1))
    typed = pipeline.prepare_passage(cpf_passage(1))
    assert (typed["nomTitulaire"], typed["prenom1Titulaire"]) == ("DUPONT", "MARIE")


def test_validate_and_build_check_alike(tmp_path):
    """A passage read back from a flux goes through the same normalisation and rules."""
    from accrochage.writer import write_deposit

    (written,) = write_deposit([make_passage(1), make_passage(1)], tmp_path / "flux", now=NOW)
    result, seen = outcomes(pipeline.FluxSource(written.path))
    assert [codes(o) for o in seen] == [["duplicate_id"], ["duplicate_id"]]
    assert seen[0].row < seen[1].row  # the rows are the lines of the passages
    assert result.counts.line().startswith("2 lignes lues = 0 prête + 2 écartées")


# -- streaming ------------------------------------------------------------------


def test_each_row_is_reported_before_the_next_is_read(tmp_path):
    events = []

    class Source:
        def __iter__(self):
            for number in range(1, 4):
                events.append(("read", number))
                yield Row(number, make_passage(number))

    run(Source(), tmp_path, options=OPTIONS, on_row=lambda o: events.append(("reported", o.row)))
    # the first pass reads the ids; then one row at a time, reported before the next
    assert events[:3] == [("read", 1), ("read", 2), ("read", 3)]
    assert events[3:] == [
        ("read", 1),
        ("reported", 1),
        ("read", 2),
        ("reported", 2),
        ("read", 3),
        ("reported", 3),
    ]


def _peak_bytes(count):
    def rows():
        template = make_passage(1)
        for number in range(1, count + 1):
            yield Row(
                number,
                {
                    **template,
                    "idTechnique": f"P-{number:07d}",
                    "anneeNaissance": 1950 + number % 50,
                },
            )

    tracemalloc.start()
    try:
        result = run(rows(), None, options=OPTIONS, duplicates=DuplicateIds())
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_rows():
    _peak_bytes(800)  # warm the caches of the rules first
    small, _ = _peak_bytes(100)
    large, result = _peak_bytes(1600)
    assert result.counts.rows == 1600 and result.counts.written == 1600
    # 16 times the rows: a few bytes per row for the holder hashes, not the passages
    assert large - small < 150_000, (small, large)


# -- the report, file-level findings, failures ----------------------------------


def test_the_report_lists_every_row_with_one_bom_and_no_nir(tmp_path):
    nir = "290057512345678"
    long_name = "X" * 40_000
    rows = [
        Row(None, None, [Finding(WARNING, "import_column", "Colonne Z non reconnue.")]),
        Row(3, make_passage(1, nir=nir)),
        Row(4, None, [Finding(BLOCKING, "import_value", "Ligne illisible.", row=4)]),
        Row(5, make_passage(3, nomNaissance=long_name)),
    ]
    report = tmp_path / "out" / "rapport.csv"
    result = run(rows, tmp_path / "out", options=OPTIONS, report=report)
    data = report.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data[3:].startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert nir not in text and nir[:13] not in text
    lines = text.splitlines()
    assert len(lines) == 5  # header, the file-level line, then one line per row
    assert lines[2].startswith("3;P-000001") and lines[3].startswith("4;;;;à corriger")
    assert "[coupé : " in lines[4] and max(len(cell) for cell in lines[4].split(";")) <= 32_767
    assert result.counts.rows == 3 and result.file_findings[0].code == "import_column"
    assert result.counts.line() == "3 lignes lues = 1 écrite + 2 écartées."
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_a_failure_leaves_no_file_and_no_report(tmp_path, monkeypatch):
    def refuse(passage, **_options):
        if passage["idTechnique"] == "P-000700":
            raise DocumentInvalid("Passage P-000700 : refusé.")
        return []

    monkeypatch.setattr(pipeline.rules, "passage_checker", lambda **_options: refuse)
    out = tmp_path / "out"
    with pytest.raises(DocumentInvalid):
        run([make_passage(n) for n in range(1, 1001)], out, options=OPTIONS, report=out / "r.csv")
    assert list(out.iterdir()) == []


def test_an_output_folder_that_is_a_file_is_refused_in_french(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("", encoding="utf-8")
    with pytest.raises(AccrochageError, match="n'est pas un dossier"):
        run([make_passage(1)], taken, options=OPTIONS)


class _Rows:
    """A source that reports its progress in bytes, 100 a row."""

    total_bytes = 400

    def __init__(self, ids):
        self.ids = ids

    def rows(self, progress):
        for number, ident in enumerate(self.ids, 1):
            progress(100 * number, 400)
            yield Row(number, holder(number, idTechnique=ident))


def test_progress_follows_the_whole_job_in_one_pass():
    fractions = []
    run(_Rows(["P-1", "P-2", "P-3", "P-4"]), None, options=OPTIONS, progress=fractions.append)
    assert fractions == [0.25, 0.5, 0.75, 1.0, 1.0]


def test_a_repeated_id_starts_the_job_over_once(tmp_path):
    fractions = []
    report = tmp_path / "out" / "r.csv"
    result = run(
        _Rows(["P-1", "P-2", "P-1", "P-4"]),
        tmp_path / "out",
        options=OPTIONS,
        progress=fractions.append,
        report=report,
    )
    share = pipeline._Phases.ID_SHARE
    # the first pass stops at the repeat (row 3), the ids are read, then it runs again
    assert fractions[:3] == [0.25, 0.5, 0.75]
    assert fractions[3:7] == pytest.approx([share * f for f in (0.25, 0.5, 0.75, 1)])
    assert fractions[7:] == pytest.approx(
        [share + (1 - share) * f for f in (0.25, 0.5, 0.75, 1)] + [1]
    )
    assert result.counts.line() == "4 lignes lues = 2 écrites + 2 écartées."
    assert sorted(written_ids(result.files)) == ["P-2", "P-4"]
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 5 and lines[0].startswith("Ligne;")  # one header, once each row
    assert len(list((tmp_path / "out").glob("*.xml"))) == 1


def test_a_file_source_reports_its_bytes(tmp_path):
    source = tmp_path / "in.csv"
    with open(source, "w", encoding="utf-8", newline="") as handle:
        write_passages_csv([holder(n) for n in range(1, 4)], handle)
    seen = []
    files = FileSource([source])
    list(files.rows(progress=lambda done, total: seen.append((done, total))))
    assert seen[-1] == (source.stat().st_size, files.total_bytes)


def test_several_input_files_are_one_deposit_naming_the_file(tmp_path):
    paths = []
    for name, numbers in (("a.csv", (1, 2)), ("b.csv", (2, 3))):
        path = tmp_path / name
        with open(path, "w", encoding="utf-8", newline="") as handle:
            write_passages_csv([make_passage(n) for n in numbers], handle)
        paths.append(path)
    report = tmp_path / "out" / "r.csv"
    result, seen = outcomes(FileSource(paths), tmp_path / "out", report=report)
    assert [(o.origin, o.written) for o in seen] == [
        ("a.csv", True),
        ("a.csv", False),
        ("b.csv", False),
        ("b.csv", True),
    ]
    assert "ligne 3 de b.csv" in seen[1].findings[0].message
    assert report.read_text(encoding="utf-8-sig").splitlines()[0].startswith("Fichier;Ligne;")
    assert len(result.files) == 1 and result.counts.written == 2


def test_mixed_certifications_are_written_together(tmp_path):
    codes = [("RNCP", "RNCP35726"), ("RS", "RS5875"), ("RNCP", "RNCP34567")]
    rows = [
        holder(n, nomNaissance=f"{NAMES[n % 8]}-{n}", type=codes[n % 3][0], code=codes[n % 3][1])
        for n in range(1, 61)
    ]
    result = run(rows, tmp_path, options=OPTIONS)
    (written,) = result.files
    tree = etree.parse(str(written.path))
    ns = {"cpf": "urn:cdc:cpf:pc5:schema:1.0.0"}
    seen = tree.xpath("//cpf:certification/cpf:code/text()", namespaces=ns)
    assert sorted(set(seen)) == sorted(code for _type, code in codes)
    assert len(seen) <= 2 * len(codes)  # not one element per passage
    assert sorted(written_ids(result.files)) == sorted(r["idTechnique"] for r in rows)
    from accrochage.writer import validate_file

    assert validate_file(written.path) == []


def test_a_message_names_ten_other_rows_at_most():
    _result, seen = outcomes([holder(n, idTechnique="P-X") for n in range(1, 14)])
    message = seen[0].findings[0].message
    assert "lignes 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 et 2 autres de ce dépôt" in message
    assert all(not o.written for o in seen)


def test_a_cell_the_importer_refused_is_not_reported_again_by_the_rules(tmp_path):
    """A bad year and a bad sex: one finding each, where the reader says what
    is wrong with the cell; not a second one saying the value is missing.
    What the rules say about other fields stays."""
    path = tmp_path / "in.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        write_passages_csv([holder(1), holder(2, modaliteAcces="VAE")], handle)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(";1990;", ";19x0;").replace(";F;", ";Q;"), encoding="utf-8")
    _result, seen = outcomes(FileSource([path]), tmp_path / "out")
    for outcome in seen:
        assert sorted((f.code, f.field) for f in outcome.findings if f.blocking) == [
            ("import_value", "anneeNaissance"),
            ("import_value", "sexe"),
        ]
        assert not outcome.written
    assert "conditional_missing" in codes(seen[1])


def _build_and_report(source, out):
    """Each row's outcome (passage, findings, written) and every file the job
    writes (flux files and report), by name."""
    outcomes = []
    run(FileSource([source]), out, options=OPTIONS, on_row=outcomes.append, report=out / "r.csv")
    files = {path.name: path.read_bytes() for path in sorted(out.iterdir())}
    rows = [(o.row, list((o.passage or {}).items()), o.findings, o.written) for o in outcomes]
    return rows, files


def test_rows_read_normalized_give_the_findings_and_flux_of_the_general_path(tmp_path, monkeypatch):
    """A CSV read with the one-pass normalizing reader (the usual plain rows)
    and read without it (every row through prepare_passage): the same
    outcome for every row, the same report and byte-identical flux files.
    If the fast reader kept a text normalize would change, or took a row
    the general path refuses, an outcome or a file would differ."""
    from accrochage import importer
    from tests.test_importer import _odd_lines_csv

    source = tmp_path / "odd.csv"
    # "²" is a digit int() refuses: the DigComp rule fails on it, on either path
    source.write_bytes(_odd_lines_csv("1.1.2", unique_ids=True, leave_out=("²",)))

    fast_rows, fast_files = _build_and_report(source, tmp_path / "fast")
    monkeypatch.setattr(importer, "_normalized_reader", lambda plan, **options: None)
    general_rows, general_files = _build_and_report(source, tmp_path / "general")
    assert fast_rows == general_rows
    assert fast_files == general_files
    written = sum(1 for row in fast_rows if row[3])
    assert written > len(fast_rows) // 4 and len(fast_files) >= 2


@pytest.mark.parametrize("reader", ["stream", "calamine", "openpyxl"])
def test_sheet_rows_read_normalized_give_the_findings_and_flux_of_the_general_path(
    tmp_path, monkeypatch, reader
):
    """The same for a workbook, through each XLSX reader: its rows read
    normalized as they are read (typed cells, openpyxl's escapes, short
    postal codes as numbers with and without their format, serial dates,
    an unknown column, both birth codes), and read cell by cell by the
    interpreted reader then prepared by prepare_passage (the reference):
    the same outcome for every row, the same report, byte-identical flux
    files; and the normalized reading does take rows."""
    from accrochage import importer
    from tests.test_importer import _odd_sheet

    if reader == "calamine":
        pytest.importorskip("python_calamine")
    monkeypatch.setattr(importer, "_xlsx_reader", lambda: reader)
    source = tmp_path / "odd.xlsx"
    source.write_bytes(_odd_sheet("1.1.2", unique_ids=True))
    read_normalized = []
    iter_rows = importer.iter_rows

    def noted(*args, **kwargs):
        for item in iter_rows(*args, **kwargs):
            read_normalized.append(item.normalized is not None)
            yield item

    monkeypatch.setattr(importer, "iter_rows", noted)

    fast_rows, fast_files = _build_and_report(source, tmp_path / "fast")
    assert sum(read_normalized) > len(fast_rows) // 4
    monkeypatch.setattr(importer, "_normalized_reader", lambda plan, **options: None)
    monkeypatch.setattr(importer, "_fast_reader", lambda *args, **kwargs: lambda *cells: None)
    read_normalized.clear()
    general_rows, general_files = _build_and_report(source, tmp_path / "general")
    assert not any(read_normalized)
    assert fast_rows == general_rows
    assert fast_files == general_files
    written = sum(1 for row in fast_rows if row[3])
    assert written > len(fast_rows) // 4 and len(fast_files) >= 2
