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


def graded(passage, **options):
    """``[(code, severity by default, severity in strict mode)]``."""
    default = check(passage, **options)
    strict = check(passage, strict=True, **options)
    assert [f.code for f in default] == [f.code for f in strict]
    return [(d.code, d.severity, s.severity) for d, s in zip(default, strict, strict=True)]


ASKED = (WARNING, BLOCKING)  # a CDC document asks for it, the CDC does not enforce it
REFUSED = (BLOCKING, BLOCKING)  # the CDC refuses it
ADVICE = (WARNING, WARNING)


def test_receipt_guide_p5_exam_end_before_start_blocks():
    findings = check(make_passage(dateFinExamen=D(2026, 6, 1)))
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (BLOCKING, "exam_dates_order", "dateFinExamen")
    ]
    assert findings[0].source == "guide de l'accusé de traitement V3 p.5"
    assert "Source : guide de l'accusé de traitement V3 p.5." in findings[0].message
    assert check(make_passage(dateFinExamen=D(2026, 6, 2))) == []  # one-day exam


def test_receipt_guide_p5_validity_end_before_award_blocks():
    findings = check(make_passage(dateFinValidite=D(2026, 10, 14)))
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (BLOCKING, "validity_dates_order", "dateFinValidite")
    ]
    assert check(make_passage(dateFinValidite=D(2026, 10, 15))) == []


def test_nc5_7_2_vae_route_is_optional_so_its_absence_is_a_warning():
    """NC5 V22 #7.2 says "Facultatif"; only the template's sheet V.16 says
    "obligatoire si 7.1 = VAE": a warning, blocking in strict mode."""
    passage = make_passage(modaliteAcces="VAE")
    assert [(c, *sev) for c, *sev in graded(passage)] == [("conditional_missing", *ASKED)]
    [finding] = check(passage)
    assert finding.field == "voieAccessVAE"
    assert "CONGES_VAE" in finding.message and "VAE_CLASSIQUE" in finding.message
    assert "V.16 #7.2" in finding.source and "NC5 V22 #7.2" in finding.source
    assert finding.source in finding.message
    assert check(make_passage(modaliteAcces="VAE", voieAccessVAE="CONGES_VAE")) == []


def test_nc5_7_2_vae_route_without_vae_is_a_warning():
    assert graded(make_passage(voieAccessVAE="CONGES_VAE")) == [("conditional_unexpected", *ASKED)]
    findings = check(make_passage(voieAccessVAE="CONGES_VAE", modaliteAcces=None))
    assert codes(findings) == ["conditional_unexpected"]


def test_nc5_8_13_born_abroad_needs_the_matching_country_code():
    assert check(make_passage(codeInsee="99352", codePaysNaissance="352")) == []
    passage = make_passage(codeInsee="99352", codePaysNaissance="351")
    assert graded(passage) == [("country_code_mismatch", *ASKED)]
    [finding] = check(passage)
    assert finding.field == "codePaysNaissance" and "352" in finding.message
    assert "NC5 V22 #8.10, #8.13" in finding.message
    passage = make_passage(codeInsee="99352")
    assert graded(passage) == [("country_code_missing", *ASKED)]
    assert "352" in check(passage)[0].message


def test_nc5_8_13_born_in_france_has_no_country_code():
    passage = make_passage(codePaysNaissance="100")
    assert graded(passage) == [("country_code_france", *ASKED)]
    assert check(passage)[0].field == "codePaysNaissance"


@pytest.mark.parametrize(
    "code, expected",
    [
        ("2A004", []),
        ("97105", []),
        ("99100", [("insee_france_country", *ASKED)]),
        ("2C004", [("insee_format", *ASKED)]),
        ("20004", [("insee_corsica_1976", *ASKED)]),
        ("6912X", [("insee_format", *ASKED)]),
    ],
)
def test_nc5_8_10_insee_code_shape_is_asked_not_enforced(code, expected):
    """The XSD takes any 5 characters; NC5 V22 #8.10 asks for the commune's code."""
    findings = check(make_passage(codeInsee=code))
    assert graded(make_passage(codeInsee=code)) == expected
    assert all(f.field == "codeInsee" for f in findings)


def test_template_communes_sheet_corsica_20xxx_suggests_2a_or_2b_truly():
    """A 1950 birth in Ajaccio typed with its code of the time, 20004."""
    passage = make_passage(
        anneeNaissance=1950, codeInsee="20004", libelleCommuneNaissance="Ajaccio"
    )
    [finding] = check(passage)
    assert finding.code == "insee_corsica_1976" and finding.severity == WARNING
    assert "2A004" in finding.message and "2B004" in finding.message
    assert "5 caractères" not in finding.message  # it has 5: the old message was false


def test_cog_lower_case_insee_code_in_a_file_is_named_in_its_written_form():
    """A flux read back (validate) may carry 2a004: the message says so, and
    normalize_passage (build) writes 2A004."""
    passage = make_passage(codeInsee="2a004")
    assert graded(passage) == [("normal_form", *ASKED)]
    assert "« 2A004 »" in check(passage)[0].message
    assert check(normalize_passage(passage)) == []


def test_nc5_5_12_language_flag_and_level():
    assert check(make_passage(presenceNiveauLangueEuro=True, niveauLangueEuropeen="C1")) == []
    passage = make_passage(niveauLangueEuropeen="C1")
    assert graded(passage) == [("presence_flag_false", *ASKED)]
    assert check(passage)[0].field == "presenceNiveauLangueEuro"
    passage = make_passage(presenceNiveauLangueEuro=True)
    assert graded(passage) == [("presence_flag_empty", *ASKED)]
    assert check(passage)[0].field == "niveauLangueEuropeen"


def test_nc5_5_14_digital_flag_and_block():
    block = {"scoreGeneral": 300, "resultats": [DIGCOMP_RESULT]}
    assert check(make_passage(presenceNiveauNumeriqueEuro=True, **block)) == []
    for given in ({"scoreGeneral": 300}, {"resultats": [DIGCOMP_RESULT]}):
        found = [g for g in graded(make_passage(**given)) if g[0] == "presence_flag_false"]
        assert found == [("presence_flag_false", *ASKED)]
    findings = check(make_passage(presenceNiveauNumeriqueEuro=True))
    assert [(f.severity, f.code, f.dico_id) for f in findings] == [
        (WARNING, "presence_flag_empty", "6")
    ]


DIGCOMP_RESULT = {"niveau": 2, "domaineCompetenceId": "1", "competenceId": "1"}


def test_nc5_block_6_results_without_general_score_warn():
    findings = check(make_passage(presenceNiveauNumeriqueEuro=True, resultats=[DIGCOMP_RESULT]))
    assert [(f.severity, f.code) for f in findings] == [(WARNING, "digcomp_score_missing")]


@pytest.mark.parametrize(
    "area, competence, expected",
    [
        ("1", "3", []),
        ("1", "4", [("digcomp_competence", *ASKED)]),
        ("2", "6", []),
        ("2", "7", [("digcomp_competence", *ASKED)]),
        ("5", "4", []),
        ("5", "0", [("digcomp_competence", *ASKED)]),
        ("3", "x", [("digcomp_competence", *ASKED)]),
        ("3", "²", [("digcomp_competence", *ASKED)]),
        ("3", "٣", [("digcomp_competence", *ASKED)]),
        ("6", "1", [("digcomp_area", *ASKED)]),
        ("0", "1", [("digcomp_area", *ASKED)]),
        ("4", None, [("digcomp_result_incomplete", *ADVICE)]),
        (None, "9", [("digcomp_result_incomplete", *ADVICE)]),
    ],
)
def test_nc5_6_3_6_4_digcomp_competence_lies_in_its_area(area, competence, expected):
    item = {"niveau": 3, "domaineCompetenceId": area, "competenceId": competence}
    passage = make_passage(presenceNiveauNumeriqueEuro=True, scoreGeneral=10, resultats=[item])
    assert graded(passage) == expected
    assert all("résultat n° 1" in f.message for f in check(passage))


def test_nc5_6_3_6_4_a_pix_result_without_ids_names_the_missing_one():
    """Pix sends a level per competence; a result with no area is incomplete."""
    item = {"niveau": 3, "competenceId": "1"}
    passage = make_passage(presenceNiveauNumeriqueEuro=True, scoreGeneral=412, resultats=[item])
    [finding] = check(passage)
    assert (finding.code, finding.field) == ("digcomp_result_incomplete", "domaineCompetenceId")


def test_digcomp_results_must_be_a_list_of_dicts():
    for bad in ("3;2;4", [["3", "2"]], {"niveau": 3}):
        passage = make_passage(presenceNiveauNumeriqueEuro=True, scoreGeneral=10, resultats=bad)
        assert codes(check(passage), BLOCKING) == ["type"], bad


def test_digcomp_unknown_item_key_warns():
    item = dict(DIGCOMP_RESULT, niveaux=4)
    passage = make_passage(presenceNiveauNumeriqueEuro=True, scoreGeneral=10, resultats=[item])
    findings = check(passage)
    assert [(f.severity, f.code) for f in findings] == [(WARNING, "unknown_key")]
    assert "niveaux" in findings[0].message


@pytest.mark.parametrize(
    "type_, code, expected",
    [
        ("RS", "RNCP35726", [("certification_mismatch", "type")]),
        ("RNCP", "35726", [("certification_code_format", "code")]),
        ("Habilitation", "RS5875", [("certification_type", "type")]),
        ("RNCP", "rncp35726", [("certification_code_format", "code")]),
        ("RNCP", "RNCP 19117", [("certification_code_format", "code")]),
        ("rncp", "RNCP35726", [("certification_type", "type")]),
        (
            "Diplôme Universitaire",
            "DU-2024",
            [("certification_type", "type"), ("certification_code_format", "code")],
        ),
    ],
)
def test_receipt_guide_p3_type_and_code_must_agree(type_, code, expected):
    findings = check(make_passage(type=type_, code=code))
    assert [(f.code, f.field) for f in findings] == expected
    assert all(f.blocking and "accusé de traitement V3 p.3" in f.message for f in findings)


def test_receipt_guide_p3_a_university_diploma_gets_a_message_about_its_type():
    """NC5 V22 #4.1 lists "Diplôme Universitaire"; the CDC collects RNCP/RS only."""
    passage = make_passage(type="Diplôme Universitaire", code="RNCP35726")
    [finding] = check(normalize_passage(passage))
    assert (finding.code, finding.field) == ("certification_type", "type")
    assert "« Diplôme Universitaire »" in finding.message
    assert "indiquez RNCP pour le code RNCP35726" in finding.message


def test_rs_certification_is_accepted():
    assert check(make_passage(type="RS", code="RS5875")) == []


def test_general_guide_2_4_only_admitted_candidates_are_sent():
    findings = check(make_passage(admis=False))
    assert [(f.severity, f.code, f.field) for f in findings] == [
        (BLOCKING, "not_admitted", "admis")
    ]
    assert findings[0].source == "guide général V5 §2.4"
    assert check(make_passage(admis=True)) == []


@pytest.mark.parametrize(
    "year, month, day, blocking",
    [(1990, 2, 29, True), (1992, 2, 29, False), (1990, 4, 31, True), (2000, 2, 29, False)],
)
def test_nc5_8_8_birth_day_must_exist(year, month, day, blocking):
    passage = make_passage(anneeNaissance=year, moisNaissance=month, jourNaissance=day)
    found = [f for f in check(passage) if f.code == "birth_date_invalid"]
    assert bool(found) == blocking
    assert all(f.blocking and f.field == "jourNaissance" for f in found)


def test_nc5_8_6_birth_in_the_future_blocks_everywhere():
    """A holder born after today cannot exist: blocking, in every mode."""
    for year, month, day in ((2026, 12, 1), (2026, 11, 30), (2027, None, None)):
        passage = make_passage(anneeNaissance=year, moisNaissance=month, jourNaissance=day)
        assert graded(passage) == [("birth_in_future", *REFUSED)]
    # unknown month and day: the earliest possible date is used
    assert codes(
        check(make_passage(anneeNaissance=2026, moisNaissance=None, jourNaissance=None))
    ) == ["holder_too_young"]


def test_nc5_8_6_holder_younger_than_fourteen_warns():
    # award on 2026-10-15: born 2012-10-15 is just 14
    findings = check(make_passage(anneeNaissance=2012, moisNaissance=10, jourNaissance=15))
    assert codes(findings) == []
    for month, day in ((10, 16), (12, 31)):
        passage = make_passage(anneeNaissance=2012, moisNaissance=month, jourNaissance=day)
        assert graded(passage) == [("holder_too_young", *ADVICE)]
        assert check(passage)[0].field == "anneeNaissance"
    # unknown month: maybe born in January, so maybe 14
    assert check(make_passage(anneeNaissance=2012, moisNaissance=None, jourNaissance=None)) == []


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


def test_issue_9_a_bad_nir_does_not_block_a_complete_civil_status_in_1_1_5():
    """A certifier who typed a NIR with a wrong key and the full civil status:
    the passage goes out by civil status, the NIR is set aside, with a warning."""
    wrong = LYON_WOMAN_NIR[:13] + "00"
    raw = make_passage(nir=wrong)
    for passage in (raw, normalize_passage(raw, version="1.1.5")):
        findings = check(passage, version="1.1.5")
        assert [(f.severity, f.code, f.field) for f in findings] == [
            (WARNING, "nir_set_aside", "nir")
        ]
        assert "sa clé ne correspond pas" in findings[0].message
        assert wrong not in findings[0].message and wrong[:13] not in findings[0].message
        picked = chosen_branches(passage, version="1.1.5")
        assert picked[get_schema("1.1.5").passage_path + "/identificationTitulaire"].endswith(
            "/titulaire"
        )
    clean = normalize_passage(raw, version="1.1.5")
    assert clean["nir"] is None and clean["nir_ecarte"] == "nir_checksum"
    assert normalize_passage(clean, version="1.1.5") == clean  # idempotent


def test_a_provisional_nir_is_set_aside_too_when_the_civil_status_is_complete():
    provisional = with_key("8900569123045")
    clean = normalize_passage(make_passage(nir=provisional), version="1.1.5")
    assert clean["nir_ecarte"] == "nir_provisional"
    assert codes(check(clean, version="1.1.5")) == ["nir_set_aside"]


def test_a_bad_nir_still_blocks_when_it_is_the_only_identification():
    passage = national_passage() | {"nir": LYON_WOMAN_NIR[:13] + "00"}
    clean = normalize_passage(passage, version="1.1.5")
    assert clean["nir"] == passage["nir"] and "nir_ecarte" not in clean
    assert [(f.severity, f.code) for f in check(clean, version="1.1.5")] == [
        (BLOCKING, "nir_checksum")
    ]


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


def test_nc5_8_1_names_may_have_60_characters_and_are_never_to_be_shortened():
    """NC5 V22 #8.1-#8.5: 1-60 characters; the 30/20 limits come from the
    template's older sheet V.16, and the CDC matches the exact birth name
    (receipt guide V3 p.4): the message cites V.16 and says not to shorten."""
    name = "DE LA TOUR D'AUVERGNE-LAURAGUAIS DU PLESSIS"  # 43 characters
    for short_lengths in (False, True):
        [finding] = check(make_passage(nomNaissance=name), short_lengths=short_lengths)
        assert finding.code == "dico_length" and finding.field == "nomNaissance"
        assert finding.source == "modèle Excel v1.4, feuille Dictionnaire V.16"
        assert "NC5 V22" in finding.message and "60" in finding.message
        assert "sans l'abréger" in finding.message
        assert "abrégez" not in finding.message
    [label] = check(
        make_passage(libelleCommuneNaissance="SAINT-REMY-EN-BOUZEMONT-SAINT-GENEST-ET-ISSON")
    )
    assert label.source == "dictionnaire NC5 V22" and "abrégez" not in label.message


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


# ---------------------------------------------------- what the guides imply


def test_general_guide_2_6_2_scoring_without_score_or_level_warns():
    """Obtained by score: the guide asks for the score or a European level."""
    passage = make_passage(obtentionCertification="PAR_SCORING", scoring=None)
    assert graded(passage) == [("scoring_without_score", *ADVICE)]
    assert check(passage)[0].field == "scoring"
    for given in (
        {"scoring": "875/990"},
        {"presenceNiveauLangueEuro": True, "niveauLangueEuropeen": "B2"},
        {"presenceNiveauNumeriqueEuro": True, "scoreGeneral": 512},
    ):
        assert check(passage | given) == [], given


def test_nc5_5_5_provisional_result_warns_that_it_cannot_be_updated():
    """donneeCertifiee=false: provisional, and updates are "pas encore
    disponible" (general guide V5 §4.4.3)."""
    passage = make_passage(donneeCertifiee=False)
    assert graded(passage) == [("provisional_result", *ADVICE)]
    [finding] = check(passage)
    assert "provisoire" in finding.message and "§4.4.3" in finding.message


def test_template_v16_9_1_a_cpf_file_number_with_letters_warns():
    passage = dossier_passage(get_schema("1.1.2")) | {"idDossier": "CPF-2026-17"}
    assert graded(passage) == [("cpf_file_format", *ADVICE)]
    assert check(passage)[0].field == "idDossier"


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://certificats.example.fr/p/42", True),
        ("http://certificats.example.fr/p/42", False),
        ("www.example.fr/preuve", False),
        ("https://", False),
        ("https://exa mple.fr", False),
        ("https://[::1", False),
    ],
)
def test_nc5_5_2_proof_link_is_an_https_url(url, ok):
    findings = check(make_passage(urlPreuve=url))
    assert (findings == []) == ok
    if not ok:
        assert graded(make_passage(urlPreuve=url)) == [("proof_url", *ADVICE)]


# ------------------------------------------------------------ the modes


def test_every_finding_carries_its_source():
    passage = make_passage(
        idClientEmetteur="123",
        modaliteAcces="VAE",
        codePaysNaissance="100",
        donneeCertifiee=False,
        dateDebutValidite=D(2026, 8, 25),
    )
    findings = check(passage)
    assert codes(findings) == [
        "length",
        "conditional_missing",
        "country_code_france",
        "deadline_overdue",
        "provisional_result",
    ]
    assert findings[0].source == "XSD 1.1.2" and "Source" not in findings[0].message
    for finding in findings[1:]:
        assert finding.source and f"Source : {finding.source}." in finding.message
    assert check(make_passage(sexe="X"), version="1.1.5")[0].source == "XSD 1.1.5 (reconstitué)"


def test_strict_mode_blocks_what_is_asked_and_never_advice():
    from accrochage.rulebook import RULES, STRICT

    passage = make_passage(modaliteAcces="VAE", donneeCertifiee=False, codeInsee="99100")
    for finding in check(passage, strict=True):
        expected = BLOCKING if RULES[finding.code].level == STRICT else WARNING
        assert finding.severity == expected, finding.code
    found = [(c, *sev) for c, *sev in graded(passage)]
    assert found == [
        ("conditional_missing", *ASKED),
        ("insee_france_country", *ASKED),
        ("provisional_result", *ADVICE),
    ]


@pytest.mark.parametrize(
    "overrides, code, source",
    [
        ({"modaliteAcces": "VAE"}, "conditional_missing", "feuille Dictionnaire V.16 #7.2"),
        ({"niveauLangueEuropeen": "C1"}, "presence_flag_false", "NC5 V22 #5.12, #5.14"),
        (
            {"codeInsee": "99352", "codePaysNaissance": "351"},
            "country_code_mismatch",
            "NC5 V22 #8.10, #8.13",
        ),
        (
            {
                "presenceNiveauNumeriqueEuro": True,
                "scoreGeneral": 300,
                "resultats": [{"niveau": 2, "domaineCompetenceId": "1", "competenceId": "4"}],
            },
            "digcomp_competence",
            "NC5 V22 #6.4",
        ),
        ({"codeInsee": "99100"}, "insee_france_country", "NC5 V22 #8.10"),
    ],
)
def test_issue_9_what_the_xsd_accepts_warns_naming_who_asks_and_blocks_if_strict(
    overrides, code, source
):
    """The official XSD accepts each of these; a CDC document asks otherwise
    (NC5 V22, or the template's older dictionary sheet V.16): a warning that
    names that document, blocking only in strict mode."""
    passage = make_passage(**overrides)
    assert graded(passage) == [(code, *ASKED)]
    [finding] = check(passage)
    assert source in finding.source and f"Source : {finding.source}." in finding.message


def test_check_passages_passes_strict_through():
    [(_p, found)] = check_passages([make_passage(modaliteAcces="VAE")], today=TODAY, strict=True)
    assert [(f.severity, f.code) for f in found] == [(BLOCKING, "conditional_missing")]


def test_facets_and_business_rules_split_check_passage():
    from accrochage.rules import check_business, check_facets

    passage = make_passage(sexe="X", modaliteAcces="VAE", dateFinExamen=D(2026, 6, 1))
    facets = check_facets(passage, today=TODAY)
    business = check_business(passage, today=TODAY)
    assert codes(facets) == ["enum"]
    assert codes(business) == ["exam_dates_order", "conditional_missing"]
    assert check(passage) == facets + business


ODD_VALUES = (
    None,
    "",
    "   ",
    "x",
    "X" * 300,
    "é" * 61,
    "\x07ab",
    "a\u00a0b",
    0,
    7,
    -1,
    2100,
    True,
    False,
    1.5,
    2.0,
    D(1899, 12, 31),
    D(2026, 1, 2),
    datetime.datetime(2026, 1, 2),
    "2026-02-30",
    "2026-06-03",
    "1990",
    [],
    [{"niveau": 2}],
    {"a": 1},
    "M",
    "VAE",
    "69123",
    "RNCP35726",
)


@pytest.mark.parametrize("version", VERSIONS)
def test_the_compiled_plan_never_hides_an_xsd_finding(version):
    """The generated fast path says "clean" only when the reference check
    (interpreted, leaf by leaf) finds nothing: every leaf × odd values."""
    from accrochage import rules

    schema = get_schema(version)
    count = 0
    for base in bases(version):
        for node in schema.leaves:
            if node.level == "flux":
                continue
            for value in ODD_VALUES:
                if node.path.startswith(schema.by_key["resultats"].path + "/"):
                    item = dict((base.get("resultats") or [{}])[0], **{node.key: value})
                    passage = dict(base, resultats=[item])
                else:
                    passage = dict(base, **{node.key: value})
                ctx = rules._context(passage, version, TODAY, False, 30, False)
                reference = rules._structure(ctx)
                assert rules.check_facets(passage, version=version, today=TODAY) == reference
                plan = rules._plan(version)
                assert plan.normalize(passage) == plan._normalize_loop(passage)
                count += 1
    assert count > 1000


@pytest.mark.parametrize("version", VERSIONS)
def test_issue_9_build_and_validate_normalise_alike(tmp_path, version):
    """The same holder typed loosely (CSV, Odoo) and read back from a flux
    written elsewhere (validate) is cleaned to the same passage."""
    from accrochage.reader import iter_passages
    from accrochage.writer import write_deposit

    typed = make_passage(
        type="rncp",
        code="RNCP 19117",
        codeInsee="2a004",
        nomNaissance=" de  la Serra ",
        prenom1="jean-marie",
        libelleCommuneNaissance=" Ajaccio ",
        anneeNaissance=1980,
    )
    [written] = write_deposit([typed], tmp_path, version=version, now=FIXED_NOW)
    [(_line, read, problems)] = list(iter_passages(written.path, version=version))
    assert problems == []
    from_file = normalize_passage(read, version=version)
    from_input = normalize_passage(typed, version=version)
    assert {k: from_file.get(k) for k in from_input} == from_input
    assert (from_input["type"], from_input["code"], from_input["codeInsee"]) == (
        "RNCP",
        "RNCP19117",
        "2A004",
    )
    assert from_input["nomNaissance"] == "DE LA SERRA"
    assert check(from_file, version=version) == check(from_input, version=version) == []
    # unnormalised, the file's values get messages about their real fault
    found = {(f.code, f.field) for f in check(read, version=version)}
    assert found == {
        ("certification_type", "type"),
        ("certification_code_format", "code"),
        ("normal_form", "codeInsee"),
    }


BUSINESS_VALUES = {
    "anneeNaissance": (1899, 1900, 1950, 2011, 2012, 2013, 2026, 2027, "1990", None),
    "moisNaissance": (None, 1, 2, 4, 10, 12, 13, "05", 0),
    "jourNaissance": (None, 1, 15, 16, 28, 29, 30, 31, "17"),
    "dateDebutValidite": (
        D(2026, 10, 15),
        D(2026, 8, 25),
        D(2026, 8, 27),
        D(2026, 9, 1),
        D(2026, 12, 1),
        D(2012, 10, 15),
        "2026-10-15",
        None,
    ),
    "dateFinValidite": (None, D(2026, 10, 14), D(2026, 10, 15), "2031-01-01", "2026-10-01"),
    "dateFinExamen": (None, D(2026, 6, 1), D(2026, 6, 2), "2026-06-01"),
    "dateDebutExamen": (None, D(2026, 6, 3), "2026-06-02"),
    "type": ("RNCP", "RS", "rncp", "Diplôme Universitaire", None, 7),
    "code": ("RNCP35726", "RS5875", "RNCP 19117", "35726", None, ["RNCP1"]),
    "codeInsee": ("69123", "2a004", "20004", "99100", "99352", "2C004", None, ["x"], 69123),
    "codePaysNaissance": (None, "352", "351", 352, "100"),
    "modaliteAcces": ("VAE", "CANDIDAT_LIBRE", None),
    "voieAccessVAE": (None, "CONGES_VAE", "  "),
    "presenceNiveauLangueEuro": (False, True, None, "true"),
    "niveauLangueEuropeen": (None, "B2", ""),
    "presenceNiveauNumeriqueEuro": (False, True),
    "scoreGeneral": (None, 300),
    "resultats": (None, [], [DIGCOMP_RESULT], [{"niveau": 2}], "x"),
    "obtentionCertification": ("PAR_ADMISSION", "PAR_SCORING"),
    "scoring": (None, "12/20"),
    "donneeCertifiee": (True, False, "false"),
    "idDossier": (None, "1234567890123", "AB12", 1234),
    "urlPreuve": (None, "https://x.fr/p", "http://x.fr", " https://x.fr", 12),
    "nir": (None, LYON_WOMAN_NIR, LYON_WOMAN_NIR[:13] + "00", 12, "8900569123045"),
    "admis": (None, True, False),
}


@pytest.mark.parametrize("version", VERSIONS)
def test_the_inline_tests_before_each_rule_never_skip_a_finding(version):
    """``_business`` (inline tests, then the rule) gives what running every
    rule gives, on each value of each business fact, and on pairs of them."""
    from accrochage import rules

    def both(passage, today=TODAY, warn_days=30):
        ctx = rules._context(passage, version, today, False, warn_days, False)
        reference = [f for rule in rules._RULES for f in rule(ctx)]
        assert rules._business(ctx, []) == reference, passage
        return reference

    keys = sorted(BUSINESS_VALUES)
    count = 0
    for base in bases(version):
        for key in keys:
            for value in BUSINESS_VALUES[key]:
                both(dict(base, **{key: value}))
                count += 1
        for first, second in zip(keys, keys[1:] + keys[:1], strict=True):
            for a in BUSINESS_VALUES[first]:
                for b in BUSINESS_VALUES[second]:
                    both(dict(base, **{first: a, second: b}))
                    count += 1
    for today in (D(2026, 1, 1), D(2027, 1, 15), D(2027, 1, 16)):
        for warn_days in (0, 30, 90):
            both(make_passage(), today=today, warn_days=warn_days)
    assert count > 2500
