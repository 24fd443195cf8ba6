"""Pre-send rules: what a user sees before any XML is written."""

import datetime

import pytest

from accrochage.dictionary import Boolean, Date, Enum, Integer, Text, get_schema
from accrochage.findings import BLOCKING, WARNING, has_blocking
from accrochage.rules import check_passage, check_passages, chosen_branches, normalize_passage
from tests.conftest import FIXED_NOW
from tests.factories import DEPOSIT, make_passage
from tests.test_identity import with_key

TODAY = FIXED_NOW.date()  # 2026-11-26: the factory's award (2026-10-15) is in time
D = datetime.date
VERSIONS = ("1.1.2", "1.1.5")
LYON_WOMAN_NIR = with_key("2900569123045")  # matches make_passage()'s civil status


def check(passage, **options):
    options.setdefault("today", TODAY)
    return check_passage(passage, **options)


def codes(findings, severity=None):
    return [f.code for f in findings if severity is None or f.severity == severity]


def about(findings, field):
    return [f for f in findings if f.field == field]


# ----------------------------------------------------------- valid bases


def titulaire_keys(schema):
    branch = schema.passage_path + "/identificationTitulaire/titulaire/"
    return {n.key for n in schema.leaves if n.path.startswith(branch)}


def dossier_passage(schema):
    passage = {k: v for k, v in make_passage().items() if k not in titulaire_keys(schema)}
    passage.update(idDossier="1234567890123", nomTitulaire="MARTIN", prenom1Titulaire="ÉLODIE")
    return passage


def full_passage():
    """Every optional fact filled, VAE and both presence flags on."""
    return make_passage(
        urlPreuve="https://example.org/preuve/1",
        libelleOption="Option A",
        presenceNiveauLangueEuro=True,
        niveauLangueEuropeen="B2",
        presenceNiveauNumeriqueEuro=True,
        scoreGeneral=512,
        resultats=[{"niveau": 4, "domaineCompetenceId": "2", "competenceId": "6"}],
        scoring="14/20",
        dateFinValidite=D(2031, 10, 14),
        modaliteAcces="VAE",
        voieAccessVAE="VAE_CLASSIQUE",
        nomUsage="DUPONT",
        prenom3="Marie",
        codeInsee="99352",
        codePaysNaissance="352",
        libelleCommuneNaissance="Alger",
        libellePaysNaissance="Algérie",
        commentairesMEN="RAS",
        verbatim="TOSA",
    )


def national_passage():
    """Schema 1.1.5: identified by the NIR and the birth name only."""
    passage = {
        k: v for k, v in make_passage().items() if k not in titulaire_keys(get_schema("1.1.2"))
    }
    passage.update(nir=LYON_WOMAN_NIR, nomNaissance="MARTIN")
    return passage


def bases(version):
    schema = get_schema(version)
    found = [
        make_passage(),
        make_passage(codeInsee=None, codePostal="69001"),
        full_passage(),
        dossier_passage(schema),
    ]
    if version == "1.1.5":
        found.append(national_passage())
    return found


@pytest.mark.parametrize("version", VERSIONS)
def test_valid_passages_have_no_finding(version):
    for passage in bases(version):
        assert check(passage, version=version) == []


def test_default_clock_is_today():
    assert check_passage(make_passage(dateDebutValidite=datetime.date.today())) == []


# ------------------------------------- every table constraint, mutated


def bad_values(node):
    """Values that break ``node``'s XSD facets, derived from its value type."""
    kind = node.value
    if isinstance(kind, Text):
        if kind.length:
            values = ["x" * (kind.length + 1)]
            values += ["x" * (kind.length - 1)] if kind.length > 1 else []
        else:
            values = ["x" * (kind.max_length + 1)]
        control = "\x07" + "b" * ((kind.length or 3) - 1)  # XML cannot carry it
        return values + [control, 1.5]
    if isinstance(kind, Integer):
        return [kind.minimum - 1, kind.maximum + 1, "douze", True]
    if isinstance(kind, Enum):
        return ["PAS_UNE_VALEUR", kind.values[0].lower()]
    if isinstance(kind, Date):
        return [D(1899, 12, 31), D(2100, 1, 1), "2026-02-30", datetime.datetime(2026, 1, 2), 20]
    if isinstance(kind, Boolean):
        return ["true", 1, "non"]
    raise AssertionError(kind)  # pragma: no cover


def mutations(version):
    """(base, field node, mutated passage) for every constraint of every written leaf."""
    schema = get_schema(version)
    items = schema.by_key["resultats"]
    for base in bases(version):
        picked = chosen_branches(base, version=version)
        written = written_leaves(schema, base, picked)
        for node in written:
            if node.path.startswith(items.path + "/"):
                for bad in bad_values(node):
                    item = dict(base["resultats"][0], **{node.key: bad})
                    yield base, node, dict(base, resultats=[item])
                continue
            for bad in bad_values(node):
                yield base, node, dict(base, **{node.key: bad})
            if node.required and not node.nillable:
                missing = dict(base, **{node.key: None})
                # removing the fact that selects a branch selects another one
                if chosen_branches(missing, version=version) == picked:
                    yield base, node, missing


def written_leaves(schema, passage, picked):
    """Leaves the writer emits for ``passage``: in chosen branches, present groups."""
    result = []
    for node in schema.leaves:
        if node.level == "flux":
            continue
        path, keep = node.parent, True
        while path and path != "flux":
            group = schema.by_path[path]
            parent = schema.by_path.get(group.parent)
            if parent is not None and parent.content == "choice" and picked[parent.path] != path:
                keep = False
            path = group.parent
        if keep and (node.required or node.key in passage or _in_items(schema, node, passage)):
            result.append(node)
    return result


def _in_items(schema, node, passage):
    items = schema.by_key["resultats"]
    return node.path.startswith(items.path + "/") and passage.get("resultats")


@pytest.mark.parametrize("version", VERSIONS)
def test_every_broken_constraint_blocks_on_its_field(version):
    schema = get_schema(version)
    covered = set()
    for _base, node, passage in mutations(version):
        findings = check(passage, version=version)
        hits = [f for f in about(findings, node.key) if f.blocking and f.dico_id == node.dico_id]
        assert hits, (node.path, passage.get(node.key), [str(f) for f in findings])
        covered.add(node.path)
    # every leaf of the table a passage carries was mutated at least once
    expected = {n.path for n in schema.leaves if n.level != "flux"}
    assert covered == expected


@pytest.mark.parametrize("version", VERSIONS)
def test_nillable_facts_may_be_unknown(version):
    schema = get_schema(version)
    base = make_passage()
    picked = chosen_branches(base, version=version)
    for node in written_leaves(schema, base, picked):
        if node.nillable:
            passage = dict(base, **{node.key: None})
            assert not has_blocking(check(passage, version=version)), node.path


@pytest.mark.parametrize("version", VERSIONS)
def test_optional_facts_may_be_absent(version):
    full = full_passage()
    for key in list(full):
        node = get_schema(version).by_key.get(key)
        if node is None or node.required:
            continue
        passage = {k: v for k, v in full.items() if k != key}
        blocking = [f for f in check(passage, version=version) if f.blocking]
        # only a conditional rule may require an optional fact (VAE route)
        assert codes(blocking) in ([], ["conditional_missing"]), key


def test_every_finding_names_its_field_and_says_what_to_fix():
    passage = make_passage(
        idClientEmetteur="123",
        sexe="X",
        anneeNaissance=1800,
        dateFinExamen=D(2026, 6, 1),
        modaliteAcces="VAE",
        codePaysNaissance="352",
    )
    findings = check(passage)
    assert len(findings) >= 5
    for finding in findings:
        node = get_schema("1.1.2").by_key[finding.field]
        assert finding.dico_id == node.dico_id
        assert finding.passage == passage["idTechnique"]
        assert f"#{node.dico_id}" in finding.message
        assert finding.message.rstrip().endswith(".")
        assert any(
            verb in finding.message
            for verb in ("corrigez", "renseignez", "retirez", "indiquez", "vérifiez", "choisissez")
        ), finding.message


# ---------------------------------------------------- identification


def test_missing_identification_blocks():
    schema = get_schema("1.1.2")
    passage = {k: v for k, v in make_passage().items() if k not in titulaire_keys(schema)}
    findings = check(passage)
    assert codes(findings) == ["choice_missing"]
    assert "bloc 8" in findings[0].message and "bloc 9" in findings[0].message


def test_dossier_identification_requires_its_three_facts():
    passage = dossier_passage(get_schema("1.1.2"))
    passage["nomTitulaire"] = None
    findings = check(passage)
    assert [(f.code, f.dico_id) for f in findings] == [("required", "9.2")]


def test_both_identifications_warn_that_the_file_number_is_ignored():
    passage = make_passage(idDossier="1234567890123", nomTitulaire="X", prenom1Titulaire="Y")
    findings = check(passage)
    assert [(f.severity, f.code, f.dico_id) for f in findings] == [(WARNING, "branch_ignored", "9")]
    assert chosen_branches(passage)[
        get_schema().passage_path + "/identificationTitulaire"
    ].endswith("/titulaire")


def test_birth_postal_code_may_be_nil_but_is_warned():
    findings = check(make_passage(codeInsee=None))
    assert [(f.severity, f.code) for f in findings] == [(WARNING, "birthplace_unknown")]


def test_both_birthplace_codes_warn_that_the_postal_code_is_ignored():
    findings = check(make_passage(codePostal="69001"))
    assert [(f.severity, f.code) for f in findings] == [(WARNING, "branch_ignored")]


def test_nir_identifies_the_holder_in_1_1_5_only():
    passage = make_passage(nir=LYON_WOMAN_NIR)
    assert check(passage, version="1.1.2") == []
    findings = check(passage, version="1.1.5")
    assert [(f.severity, f.code, f.dico_id) for f in findings] == [(WARNING, "branch_ignored", "8")]


# ------------------------------------------------------ business rules


def test_exam_end_before_start_blocks():
    findings = check(make_passage(dateFinExamen=D(2026, 6, 1)))
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (BLOCKING, "exam_dates_order", "dateFinExamen")
    ]
    assert check(make_passage(dateFinExamen=D(2026, 6, 2))) == []  # one-day exam


def test_validity_end_before_award_blocks():
    findings = check(make_passage(dateFinValidite=D(2026, 10, 14)))
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (BLOCKING, "validity_dates_order", "dateFinValidite")
    ]
    assert check(make_passage(dateFinValidite=D(2026, 10, 15))) == []


def test_vae_requires_its_route():
    findings = check(make_passage(modaliteAcces="VAE"))
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (BLOCKING, "conditional_missing", "voieAccessVAE")
    ]
    assert "CONGES_VAE" in findings[0].message and "VAE_CLASSIQUE" in findings[0].message
    assert check(make_passage(modaliteAcces="VAE", voieAccessVAE="CONGES_VAE")) == []


def test_vae_route_without_vae_warns():
    findings = check(make_passage(voieAccessVAE="CONGES_VAE"))
    assert [(f.severity, f.code) for f in findings] == [(WARNING, "conditional_unexpected")]
    findings = check(make_passage(voieAccessVAE="CONGES_VAE", modaliteAcces=None))
    assert codes(findings) == ["conditional_unexpected"]


def test_born_abroad_needs_the_matching_country_code():
    assert check(make_passage(codeInsee="99352", codePaysNaissance="352")) == []
    findings = check(make_passage(codeInsee="99352", codePaysNaissance="351"))
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (BLOCKING, "country_code_mismatch", "codePaysNaissance")
    ]
    assert "352" in findings[0].message
    findings = check(make_passage(codeInsee="99352"))
    assert [(f.severity, f.code) for f in findings] == [(WARNING, "country_code_missing")]
    assert "352" in findings[0].message


def test_born_in_france_has_no_country_code():
    findings = check(make_passage(codePaysNaissance="100"))
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (WARNING, "country_code_france", "codePaysNaissance")
    ]


@pytest.mark.parametrize(
    "code, expected",
    [
        ("2A004", []),
        ("97105", []),
        ("99100", ["insee_component"]),
        ("2C004", ["insee_format"]),
        ("20004", ["insee_format"]),
        ("6912X", ["insee_format"]),
    ],
)
def test_insee_code_format(code, expected):
    findings = check(make_passage(codeInsee=code))
    assert codes(findings, BLOCKING) == expected
    assert all(f.field == "codeInsee" for f in findings)


def test_language_flag_and_level():
    assert check(make_passage(presenceNiveauLangueEuro=True, niveauLangueEuropeen="C1")) == []
    findings = check(make_passage(niveauLangueEuropeen="C1"))
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (BLOCKING, "presence_flag_false", "presenceNiveauLangueEuro")
    ]
    findings = check(make_passage(presenceNiveauLangueEuro=True))
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (WARNING, "presence_flag_empty", "niveauLangueEuropeen")
    ]


def test_digital_flag_and_block():
    block = {"scoreGeneral": 300, "resultats": [{"niveau": 2}]}
    assert check(make_passage(presenceNiveauNumeriqueEuro=True, **block)) == []
    for given in ({"scoreGeneral": 300}, {"resultats": [{"niveau": 2}]}):
        findings = check(make_passage(**given))
        assert (BLOCKING, "presence_flag_false", "presenceNiveauNumeriqueEuro") in [
            (f.severity, f.code, f.field) for f in findings
        ]
    findings = check(make_passage(presenceNiveauNumeriqueEuro=True))
    assert [(f.severity, f.code, f.dico_id) for f in findings] == [
        (WARNING, "presence_flag_empty", "6")
    ]


def test_digcomp_results_without_general_score_warn():
    findings = check(make_passage(presenceNiveauNumeriqueEuro=True, resultats=[{"niveau": 2}]))
    assert [(f.severity, f.code) for f in findings] == [(WARNING, "digcomp_score_missing")]


@pytest.mark.parametrize(
    "area, competence, expected",
    [
        ("1", "3", []),
        ("1", "4", ["digcomp_competence"]),
        ("2", "6", []),
        ("2", "7", ["digcomp_competence"]),
        ("5", "4", []),
        ("5", "0", ["digcomp_competence"]),
        ("3", "x", ["digcomp_competence"]),
        ("6", "1", ["digcomp_area"]),
        ("0", None, ["digcomp_area"]),
        ("4", None, []),
        (None, "9", []),
    ],
)
def test_digcomp_competence_lies_in_its_area(area, competence, expected):
    item = {"niveau": 3, "domaineCompetenceId": area, "competenceId": competence}
    passage = make_passage(presenceNiveauNumeriqueEuro=True, scoreGeneral=10, resultats=[item])
    findings = check(passage)
    assert codes(findings) == expected
    assert all(f.blocking and "résultat n° 1" in f.message for f in findings)


def test_digcomp_results_must_be_a_list_of_dicts():
    for bad in ("3;2;4", [["3", "2"]], {"niveau": 3}):
        passage = make_passage(presenceNiveauNumeriqueEuro=True, scoreGeneral=10, resultats=bad)
        assert codes(check(passage), BLOCKING) == ["type"], bad


def test_digcomp_unknown_item_key_warns():
    item = {"niveau": 3, "niveaux": 4}
    passage = make_passage(presenceNiveauNumeriqueEuro=True, scoreGeneral=10, resultats=[item])
    findings = check(passage)
    assert [(f.severity, f.code) for f in findings] == [(WARNING, "unknown_key")]
    assert "niveaux" in findings[0].message


@pytest.mark.parametrize(
    "type_, code, field",
    [
        ("RS", "RNCP35726", "type"),
        ("RNCP", "35726", "code"),
        ("Habilitation", "RS5875", "type"),
        ("RNCP", "rncp35726", "code"),
    ],
)
def test_type_and_code_must_agree(type_, code, field):
    findings = check(make_passage(type=type_, code=code))
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (BLOCKING, "certification_code", field)
    ]


def test_rs_certification_is_accepted():
    assert check(make_passage(type="RS", code="RS5875")) == []


def test_only_admitted_candidates_are_sent():
    findings = check(make_passage(admis=False))
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (BLOCKING, "not_admitted", "admis")
    ]
    assert check(make_passage(admis=True)) == []


@pytest.mark.parametrize(
    "year, month, day, blocking",
    [(1990, 2, 29, True), (1992, 2, 29, False), (1990, 4, 31, True), (2000, 2, 29, False)],
)
def test_birth_day_must_exist(year, month, day, blocking):
    passage = make_passage(anneeNaissance=year, moisNaissance=month, jourNaissance=day)
    found = [f for f in check(passage) if f.code == "birth_date_invalid"]
    assert bool(found) == blocking
    assert all(f.blocking and f.field == "jourNaissance" for f in found)


def test_birth_in_the_future_blocks():
    findings = check(make_passage(anneeNaissance=2026, moisNaissance=12, jourNaissance=1))
    assert [(f.severity, f.code) for f in findings] == [(BLOCKING, "birth_in_future")]
    # unknown month and day: the earliest possible date is used
    assert codes(
        check(make_passage(anneeNaissance=2026, moisNaissance=None, jourNaissance=None))
    ) == ["holder_too_young"]


def test_holder_younger_than_fourteen_warns():
    # award on 2026-10-15: born 2012-10-15 is just 14
    findings = check(make_passage(anneeNaissance=2012, moisNaissance=10, jourNaissance=15))
    assert codes(findings) == []
    for month, day in ((10, 16), (12, 31)):
        findings = check(make_passage(anneeNaissance=2012, moisNaissance=month, jourNaissance=day))
        assert [(f.severity, f.code, f.field) for f in findings] == [
            (WARNING, "holder_too_young", "anneeNaissance")
        ]
    # unknown month: maybe born in January, so maybe 14
    assert check(make_passage(anneeNaissance=2012, moisNaissance=None, jourNaissance=None)) == []


def test_holder_a_hundred_or_older_warns():
    # award on 2026-10-15: born 1926-10-16 is still 99
    assert codes(check(make_passage(anneeNaissance=1926, moisNaissance=10, jourNaissance=16))) == []
    findings = check(make_passage(anneeNaissance=1926, moisNaissance=10, jourNaissance=15))
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (WARNING, "holder_very_old", "anneeNaissance")
    ]
    # unknown month: maybe born in December 1926, so maybe only 99
    assert codes(check(make_passage(anneeNaissance=1926, moisNaissance=None))) == []
    assert codes(check(make_passage(anneeNaissance=1925, moisNaissance=None))) == [
        "holder_very_old"
    ]


def test_award_date_in_the_future_warns():
    findings = check(make_passage(dateDebutValidite=D(2026, 12, 1)))
    assert [(f.severity, f.code) for f in findings] == [(WARNING, "award_in_future")]


# ------------------------------------------------------------ deadline


def test_deadline_warns_thirty_days_before():
    passage = make_passage(dateDebutValidite=D(2026, 9, 1))  # deadline 2026-12-01
    findings = check(passage)
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (WARNING, "deadline_soon", "dateDebutValidite")
    ]
    assert "01/12/2026" in findings[0].message
    assert check(passage, warn_days=3) == []


def test_deadline_passed_warns_but_never_blocks():
    passage = make_passage(dateDebutValidite=D(2026, 8, 25))  # deadline 2026-11-25
    findings = check(passage)
    assert [(f.severity, f.code) for f in findings] == [(WARNING, "deadline_overdue")]
    assert "dépassé" in findings[0].message and "sans attendre" in findings[0].message


# ----------------------------------------------------------------- NIR


def test_valid_nir_coherent_with_civil_status_gives_nothing():
    for version in VERSIONS[:1]:
        assert check(make_passage(nir=LYON_WOMAN_NIR), version=version) == []
    corsica = with_key("253072B073004")
    passage = make_passage(nir=corsica, anneeNaissance=1953, moisNaissance=7, codeInsee="2B073")
    assert check(passage) == []


@pytest.mark.parametrize(
    "nir, code",
    [
        (LYON_WOMAN_NIR[:13] + "00", "nir_checksum"),
        ("29005691230", "nir_length"),
        ("2900569X2304560", "nir_format"),
        (2900569123045, "nir_type"),
    ],
)
def test_invalid_nir_warns_in_1_1_2_and_blocks_where_it_is_written(nir, code):
    findings = check(make_passage(nir=nir))
    assert [(f.severity, f.code, f.field) for f in findings] == [(WARNING, code, "nir")]
    assert str(nir) not in findings[0].message
    findings = check(national_passage() | {"nir": nir}, version="1.1.5")
    assert [(f.severity, f.code, f.field, f.dico_id) for f in findings] == [
        (BLOCKING, code, "nir", "10.1")
    ]
    assert str(nir) not in findings[0].message


def test_provisional_nir():
    provisional = with_key("8900569123045")
    findings = check(make_passage(nir=provisional))
    assert [(f.severity, f.code) for f in findings] == [(WARNING, "nir_provisional")]
    # the 1.1.5 pattern only takes definitive numbers (sex digit 1 or 2)
    findings = check(national_passage() | {"nir": provisional}, version="1.1.5")
    assert [(f.severity, f.code) for f in findings] == [(BLOCKING, "nir_provisional")]


def test_thirteen_character_nir_is_written_as_is_in_1_1_5():
    assert check(national_passage() | {"nir": LYON_WOMAN_NIR[:13]}, version="1.1.5") == []


def test_nir_incoherent_with_civil_status_warns_on_each_fact():
    passage = make_passage(nir=with_key("1910675105123"))  # man, 1991, June, Paris
    findings = check(passage)
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (WARNING, "nir_mismatch", "sexe"),
        (WARNING, "nir_mismatch", "anneeNaissance"),
        (WARNING, "nir_mismatch", "moisNaissance"),
        (WARNING, "nir_mismatch", "codeInsee"),
    ]
    for finding in findings:
        assert "1910675105123" not in finding.message


# -------------------------------------------------------- name lengths


def test_dictionary_lengths_warn_by_default_and_block_on_request():
    schema = get_schema("1.1.2")
    for node in schema.leaves:
        if not node.dico_max_length or node.key not in make_passage():
            continue
        passage = make_passage(**{node.key: "A" * (node.dico_max_length + 1)})
        findings = about(check(passage), node.key)
        assert [(f.severity, f.code) for f in findings] == [(WARNING, "dico_length")]
        findings = about(check(passage, short_lengths=True), node.key)
        assert [(f.severity, f.code) for f in findings] == [(BLOCKING, "dico_length")]
        exact = make_passage(**{node.key: "A" * node.dico_max_length})
        assert check(exact, short_lengths=True) == []


# ------------------------------------------------------ header facts


@pytest.mark.parametrize("key", sorted(DEPOSIT))
def test_header_facts_are_checked_on_every_passage(key):
    node = get_schema("1.1.2").by_key[key]
    findings = check(make_passage(**{key: None}))
    assert [(f.code, f.dico_id) for f in findings] == [("required", node.dico_id)]


def test_flux_facts_belong_to_the_writer():
    passage = make_passage(idFlux="x" * 80, horodatage="hier", action="EFFACER")
    for version in VERSIONS:
        assert check(passage, version=version) == []


# ------------------------------------------------------- many passages


def test_check_passages_is_lazy_and_flags_repeated_ids():
    consumed = []

    def source():
        for index in (1, 2, 1):
            consumed.append(index)
            yield make_passage(index)

    results = check_passages(source(), today=TODAY)
    assert consumed == []
    first = next(results)
    assert consumed == [1] and first[1] == []
    rest = list(results)
    assert [codes(found) for _passage, found in rest] == [[], ["duplicate_id"]]
    duplicate = rest[1][1][0]
    assert duplicate.blocking and duplicate.passage == "P-000001" and duplicate.dico_id == "5.1"


def test_check_passages_passes_options_through():
    passage = make_passage(nomNaissance="A" * 31)
    [(_p, found)] = check_passages([passage], today=TODAY, short_lengths=True, version="1.1.5")
    assert codes(found, BLOCKING) == ["dico_length"]


# --------------------------------------------------------- normalising


def test_normalize_cleans_a_copy_without_losing_data():
    raw = make_passage(
        nomNaissance="  de  la fontaine ",
        prenom1="élodie",
        prenom2="   ",
        code=" rncp 35726",
        type="rncp",
        codeInsee="2a004",
        sexe=" f ",
        libelleCommuneNaissance="  Ajaccio ",
        resultats=[{"niveau": 3, "domaineCompetenceId": " 2 ", "autre": " x "}],
        nir="2 90 05 69 123 045 60",
        admis=True,
        idInterne=" 42 ",
    )
    before = dict(raw)
    clean = normalize_passage(raw)
    assert raw == before  # untouched
    assert clean["nomNaissance"] == "DE LA FONTAINE"
    assert clean["prenom1"] == "ÉLODIE"
    assert clean["prenom2"] is None
    assert (clean["type"], clean["code"], clean["codeInsee"]) == ("RNCP", "RNCP35726", "2A004")
    assert clean["sexe"] == "F"
    assert clean["libelleCommuneNaissance"] == "Ajaccio"
    assert clean["resultats"] == [{"niveau": 3, "domaineCompetenceId": "2", "autre": " x "}]
    assert clean["nir"] == LYON_WOMAN_NIR  # 1.1.2: compacted, key kept
    assert clean["admis"] is True and clean["idInterne"] == " 42 "
    assert set(clean) == set(raw)
    assert normalize_passage(clean) == clean  # idempotent


def test_normalized_messy_passage_passes():
    messy = make_passage(nomNaissance=" martin ", code="rncp 35726", sexe="f", codeInsee=" 69123")
    assert has_blocking(check(messy))
    assert check(normalize_passage(messy)) == []


def test_normalize_cuts_a_valid_nir_to_13_in_1_1_5_only():
    spaced = "2 90 05 69 123 045 60"
    assert normalize_passage({"nir": spaced}, version="1.1.5")["nir"] == LYON_WOMAN_NIR[:13]
    assert normalize_passage({"nir": spaced}, version="1.1.2")["nir"] == LYON_WOMAN_NIR
    wrong = "2 90 05 69 123 045 61"
    assert normalize_passage({"nir": wrong}, version="1.1.5")["nir"] == wrong
    assert normalize_passage({"nir": 12}, version="1.1.5")["nir"] == 12


def test_normalize_keeps_odd_values_for_the_checks_to_report():
    raw = {"anneeNaissance": "1990", "resultats": "3;2", "donneeCertifiee": "oui"}
    assert normalize_passage(raw) == raw
    odd = {"resultats": [None, {"niveau": 2}]}
    assert normalize_passage(odd) == odd


# ------------------------------------------------------ lexical forms


def test_integers_may_come_as_text_or_whole_floats():
    # the XSD takes "05" for a month (SPEC §2.2); spreadsheets give 1990.0
    assert check(make_passage(moisNaissance="05", anneeNaissance=1990.0)) == []
    findings = check(make_passage(anneeNaissance=1990.5))
    assert [(f.code, f.field) for f in findings] == [("type", "anneeNaissance")]


def test_dates_may_come_as_iso_text():
    assert check(make_passage(dateFinExamen="2026-06-03")) == []
    findings = check(make_passage(dateFinExamen="03/06/2026"))
    assert [(f.code, f.field) for f in findings] == [("date", "dateFinExamen")]


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_blank_text_counts_as_missing(blank):
    findings = check(make_passage(nomNaissance=blank, nomUsage=blank))
    assert [(f.code, f.field) for f in findings] == [("required", "nomNaissance")]


def test_passages_without_id_are_not_duplicates():
    results = list(check_passages([make_passage(idTechnique=None)] * 2, today=TODAY))
    assert [codes(found) for _passage, found in results] == [["required"], ["required"]]
    assert all(found[0].passage is None for _passage, found in results)
