"""Identity checks: NIR, INSEE birthplace code, names, certification code."""

import datetime

import pytest

from accrochage import birth, certification_code, cpf_file, identity, insee, nir, postal_code, siret
from accrochage.exceptions import (
    AccrochageError,
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)


def with_key(first13):
    """A NIR with its key: 97 - (number mod 97), Corsica 2A/2B counted as 19/18."""
    number = first13.replace("2A", "19").replace("2B", "18")
    return first13 + f"{97 - int(number) % 97:02d}"


# woman born May 1990 in Lyon (69123); man born March 1985 in Paris 5e;
# Corsica (2B); Guadeloupe (97105); born abroad in country 126
VALID_NIRS = [
    with_key("2900569123045"),
    with_key("1850375105123"),
    with_key("253072B073004"),
    with_key("1900597105012"),
    with_key("2951099126111"),
]


# ---------------------------------------------------------------- NIR


@pytest.mark.parametrize("number", VALID_NIRS)
def test_valid_nir_is_accepted_and_returned_compact(number):
    spaced = " ".join([number[:1], number[1:3], number[3:5], number[5:7], number[7:]])
    assert identity.validate_nir(spaced) == number
    assert identity.validate_nir(number.lower()) == number
    assert identity.is_valid_nir(number)


@pytest.mark.parametrize("number", VALID_NIRS)
def test_every_wrong_key_is_a_checksum_error(number):
    good = int(number[13:])
    for key in range(100):
        if key == good:
            continue
        with pytest.raises(InvalidChecksum):
            identity.validate_nir(number[:13] + f"{key:02d}")


@pytest.mark.parametrize(
    "number, error",
    [
        ("29005691230", InvalidLength),
        ("2900569123045601", InvalidLength),
        ("2900X69123045 60", InvalidFormat),
        ("290052C12304560", InvalidFormat),
        ("", InvalidFormat),
    ],
)
def test_bad_nir_raises_the_engine_error_without_repeating_the_number(number, error):
    with pytest.raises(error) as caught:
        identity.validate_nir(number)
    assert isinstance(caught.value, AccrochageError)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert "NIR" in message and message.endswith(".")
    digits = "".join(c for c in number if c.isdigit())
    assert len(digits) < 6 or digits not in message
    assert caught.value.field == "nir"
    assert not identity.is_valid_nir(number)


def test_stdnum_errors_are_never_leaked():
    from stdnum import exceptions as stdnum_exceptions

    for number in ("1", "A" * 15, VALID_NIRS[0][:13] + "00"):
        with pytest.raises(AccrochageError) as caught:
            identity.validate_nir(number)
        assert not isinstance(caught.value, stdnum_exceptions.ValidationError)


def test_unexpected_stdnum_error_kind_falls_back_to_a_french_message(monkeypatch):
    from stdnum import exceptions as stdnum_exceptions

    def broken(number):
        raise stdnum_exceptions.InvalidComponent()

    monkeypatch.setattr(nir._stdnum_nir, "validate", broken)
    with pytest.raises(InvalidComponent, match="NIR est invalide"):
        identity.validate_nir(VALID_NIRS[0])


@pytest.mark.parametrize("number", VALID_NIRS)
def test_nir13_never_keeps_the_key(number):
    assert identity.nir13(number) == number[:13]
    assert identity.nir13(number[:13]) == number[:13]
    assert identity.nir13(" " + number[:7] + " " + number[7:13]) == number[:13]


@pytest.mark.parametrize(
    "number, error",
    [
        (VALID_NIRS[0][:13] + "00", InvalidChecksum),
        ("29005691230", InvalidLength),
        ("29005X9123045", InvalidFormat),
        ("290052C123045", InvalidFormat),
    ],
)
def test_nir13_refuses_what_cannot_be_written(number, error):
    with pytest.raises(error):
        identity.nir13(number)


def test_provisional_numbers_are_recognised():
    assert identity.nir_is_provisional(with_key("7900569123045"))
    assert identity.nir_is_provisional(with_key("8900569123045"))
    assert not any(identity.nir_is_provisional(n) for n in VALID_NIRS)


def test_nir_errors_carry_a_stable_code_and_the_field():
    for number, code in (
        (VALID_NIRS[0][:13] + "00", "nir_checksum"),
        ("29005691230", "nir_length"),
        ("2900X69123045 60", "nir_format"),
        (with_key("5900569123045"), "nir_sex_digit"),
    ):
        with pytest.raises(AccrochageError) as caught:
            nir.validate(number)
        assert caught.value.code == code
        assert (caught.value.field, caught.value.dico_id) == ("nir", "10.1")


def test_nir_is_formatted_as_on_the_carte_vitale():
    assert nir.format(VALID_NIRS[0]) == "2 90 05 69 123 045 60"


def test_provisional_nir_is_valid_with_a_warning():
    provisional = with_key("8900569123045")
    assert nir.validate(provisional) == provisional
    assert [warning.code for warning in nir.warnings(provisional)] == ["nir_provisional"]


def test_contact_form_refuses_a_nir_that_contradicts_the_civil_status():
    """Key, sex, year, month and department, as the holder's contact checks them."""
    woman = VALID_NIRS[0]  # F, 1990, May, Rhône
    assert nir.validate_civil_status(woman, sexe="F", annee=1990, mois=5, code_insee="69123")
    for facts, field in (
        ({"sexe": "M"}, "sexe"),
        ({"annee": 1991}, "anneeNaissance"),
        ({"mois": 6}, "moisNaissance"),
        ({"code_insee": "75105"}, "codeInsee"),
    ):
        with pytest.raises(InvalidComponent) as caught:
            nir.validate_civil_status(woman, **facts)
        assert (caught.value.code, caught.value.field) == ("nir_mismatch", field)
        assert woman not in str(caught.value) and woman[:13] not in str(caught.value)
    with pytest.raises(InvalidChecksum):
        nir.validate_civil_status(woman[:13] + "00", sexe="F")


# -------------------------------------------------------- NIR coherence

LYON_WOMAN = VALID_NIRS[0]


def keys(problems):
    return [key for key, _message in problems]


def test_coherent_civil_status_gives_nothing():
    assert (
        identity.nir_coherence(LYON_WOMAN, sexe="F", annee=1990, mois=5, code_insee="69123") == []
    )


def test_sex_digit_must_match_the_sex():
    assert keys(identity.nir_coherence(LYON_WOMAN, sexe="M")) == ["sexe"]
    assert keys(identity.nir_coherence(VALID_NIRS[1], sexe="F")) == ["sexe"]
    # a provisional number carries the sex too: 7 male, 8 female
    assert keys(identity.nir_coherence(with_key("8900569123045"), sexe="M")) == ["sexe"]
    assert identity.nir_coherence(with_key("7900569123045"), sexe="M") == []


def test_birth_year_is_compared_on_two_digits():
    assert identity.nir_coherence(LYON_WOMAN, annee=1990) == []
    assert identity.nir_coherence(with_key("2050569123045"), annee=2005) == []
    assert keys(identity.nir_coherence(LYON_WOMAN, annee=1991)) == ["anneeNaissance"]


def test_birth_month_is_compared_only_when_the_nir_month_is_a_real_month():
    assert keys(identity.nir_coherence(LYON_WOMAN, mois=6)) == ["moisNaissance"]
    # 20 (unknown), 30-42 and 50+ are special registrations: never contradicted
    for special in ("20", "31", "42", "50", "99"):
        number = with_key("290" + special + "69123045")
        assert identity.nir_coherence(number, mois=6) == []


@pytest.mark.parametrize(
    "number, code_insee",
    [
        (with_key("2900569123045"), "69123"),
        (with_key("253072B073004"), "2B073"),
        (with_key("1560720004012"), "2A004"),  # Corsica before 1976: 20
        (with_key("1600575012012"), "92012"),  # Seine before the 1968 split
        (with_key("1900597105012"), "97105"),
        (with_key("2951099126111"), "99126"),
        (with_key("2950591352111"), "99352"),  # Algeria before 1962: not 99
        (with_key("2900569123045"), "2C001"),  # a bad INSEE code is reported elsewhere
    ],
)
def test_birthplace_that_may_be_valid_is_accepted(number, code_insee):
    assert identity.nir_coherence(number, code_insee=code_insee) == []


@pytest.mark.parametrize(
    "number, code_insee",
    [
        (with_key("2900569123045"), "75105"),  # Rhône in the NIR, Paris given
        (with_key("2951099126111"), "99352"),  # other country
        (with_key("2951099126111"), "69123"),  # NIR says abroad
        (with_key("2900569123045"), "97105"),
    ],
)
def test_birthplace_that_cannot_be_valid_is_reported(number, code_insee):
    assert keys(identity.nir_coherence(number, code_insee=code_insee)) == ["codeInsee"]


# ------------------------------------------------------------- INSEE


@pytest.mark.parametrize(
    "code", ["01053", "69123", "2A004", "2B033", "95018", "97105", "97611", "98818"]
)
def test_commune_codes_in_france(code):
    assert identity.insee_kind(code) == "france"
    assert insee.validate(code) == code and insee.warnings(code) == []


@pytest.mark.parametrize("code", ["99352", "99109", "99999"])
def test_country_codes_abroad(code):
    assert identity.insee_kind(code) == "abroad"
    assert insee.country_code(code) == code[2:]


def test_insee_code_is_compacted_like_the_cog_writes_it():
    assert insee.validate(" 2a 004") == "2A004"
    assert insee.format("2b033") == "2B033"


def test_france_as_a_country_is_a_warning_not_a_shape_error():
    """NC5 V22 #8.10: born in France, the code of the commune; 99100 is France
    as a country, an INSEE code all the same."""
    assert insee.validate("99100") == "99100"
    [warning] = insee.warnings("99100")
    assert warning.code == "insee_france_country" and "commune de naissance" in warning.message
    assert (warning.field, warning.dico_id, warning.severity) == ("codeInsee", "8.10", "warning")


def test_corsica_before_1976_is_a_warning_that_names_the_current_codes():
    """20XXX: 5 characters, an INSEE code before 1976; today 2A/2B (COG)."""
    assert insee.validate("20004") == "20004" and insee.kind("20004") == "france"
    [warning] = insee.warnings("20004")
    assert warning.code == "insee_corsica_1976"
    assert "2A004" in warning.message and "2B004" in warning.message
    assert "5 caractères" not in warning.message


@pytest.mark.parametrize("code", ["00123", "2C004", "96001", "97901", "ABCDE"])
def test_malformed_insee_codes_are_refused(code):
    with pytest.raises(InvalidFormat, match="2A ou 2B") as caught:
        insee.validate(code)
    assert caught.value.code == "insee_format" and caught.value.field == "codeInsee"
    assert not insee.is_valid(code)


@pytest.mark.parametrize("code, size", [("1053", 4), ("690123", 6), ("", 0)])
def test_insee_codes_of_the_wrong_length_say_their_length(code, size):
    with pytest.raises(InvalidLength, match=f"il en compte {size}") as caught:
        insee.validate(code)
    assert caught.value.code == "insee_length" and caught.value.dico_id == "8.10"


# ---------------------------------------------------------- postal code


@pytest.mark.parametrize("code", ["01000", "20000", "69003", "97400", "98000", " 75 009 "])
def test_french_postal_codes(code):
    assert postal_code.is_valid(code)
    assert postal_code.validate(code) == "".join(code.split())


def test_postal_code_read_as_a_number_gets_its_zero_back():
    """The template stores #8.11 as a number formatted 00000."""
    assert postal_code.validate(1000) == "01000"


@pytest.mark.parametrize(
    "code, error, kind",
    [
        ("1000", InvalidLength, "postal_code_length"),
        ("690031", InvalidLength, "postal_code_length"),
        ("00150", InvalidFormat, "postal_code_format"),
        ("96000", InvalidFormat, "postal_code_format"),
        ("LYON", InvalidFormat, "postal_code_format"),
    ],
)
def test_postal_codes_of_the_wrong_shape_are_refused(code, error, kind):
    with pytest.raises(error) as caught:
        postal_code.validate(code)
    assert caught.value.code == kind and caught.value.field == "codePostal"
    assert str(caught.value).endswith(".")


def test_postal_code_error_may_name_the_exam_centre_field():
    with pytest.raises(InvalidLength) as caught:
        postal_code.validate("6900", field="codePostalCentreExamen", dico_id="5.9")
    assert (caught.value.field, caught.value.dico_id) == ("codePostalCentreExamen", "5.9")


# ------------------------------------------------------ CPF file number


def test_cpf_file_number_is_numeric_up_to_13_digits():
    """Template v1.4, sheet V.16, #9.1: numeric; NC5 V22: 1-13 characters."""
    assert cpf_file.validate("1234567890123") == "1234567890123"
    assert cpf_file.format(" 12 34 ") == "1234" and cpf_file.compact(42) == "42"
    with pytest.raises(InvalidFormat) as caught:
        cpf_file.validate("CPF-2026-42")
    assert caught.value.code == "cpf_file_format" and caught.value.dico_id == "9.1"
    with pytest.raises(InvalidLength):
        cpf_file.validate("1" * 14)
    assert not cpf_file.is_valid("١٢٣")  # other scripts' digits are not EDOF numbers


# ---------------------------------------------------------------- SIRET


def test_siret_goes_through_stdnum_and_its_errors_are_the_engines():
    assert siret.validate("73282932000074") == "73282932000074"
    assert siret.is_valid("732 829 320 00074") and not siret.is_valid("73282932000075")
    for number, error, code in (
        ("73282932000075", InvalidChecksum, "siret_checksum"),
        ("7328293200007", InvalidLength, "siret_length"),
        ("7328293200007A", InvalidFormat, "siret_format"),
    ):
        with pytest.raises(error) as caught:
            siret.validate(number)
        assert caught.value.code == code and caught.value.field == "siret"
        assert "SIRET" in str(caught.value) and number not in str(caught.value)
    assert siret.format("73282932000074") == "732 829 320 00074"
    assert siret.to_siren("732 829 320 00074") == "732829320"


# ----------------------------------------------------------- birth date

TODAY = datetime.date(2026, 11, 26)


@pytest.mark.parametrize(
    "year, month, day, expected",
    [
        (1990, 5, 17, (1990, 5, 17)),
        (1990, None, None, (1990, None, None)),
        (1990, 0, 0, (1990, None, None)),  # Odoo stores "unknown" as 0
        (1992, 2, 29, (1992, 2, 29)),
        (2026, 11, 26, (2026, 11, 26)),
        (1990, None, 31, (1990, None, 31)),
    ],
)
def test_possible_birth_dates_are_accepted(year, month, day, expected):
    assert birth.validate(year, month, day, today=TODAY) == expected


@pytest.mark.parametrize(
    "year, month, day, code, field",
    [
        (1990, 13, None, "birth_month_range", "moisNaissance"),
        (1990, 4, 31, "birth_date_invalid", "jourNaissance"),
        (1990, 2, 29, "birth_date_invalid", "jourNaissance"),
        (1990, 5, 32, "birth_day_range", "jourNaissance"),
        (2027, None, None, "birth_in_future", "anneeNaissance"),
        (2026, 12, None, "birth_in_future", "anneeNaissance"),
        (2026, 11, 27, "birth_in_future", "anneeNaissance"),
        (None, 5, 17, "birth_year_missing", "anneeNaissance"),
    ],
)
def test_impossible_birth_dates_are_refused_with_the_field_to_fix(year, month, day, code, field):
    """NC5 V22 #8.6-#8.8: a date that cannot be true is refused where it is typed."""
    with pytest.raises(InvalidComponent) as caught:
        birth.validate(year, month, day, today=TODAY)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert caught.value.dico_id in ("8.6", "8.7", "8.8")
    assert str(caught.value).endswith(".")


def test_a_birth_year_must_be_a_number():
    with pytest.raises(InvalidFormat) as caught:
        birth.validate("1990", today=TODAY)
    assert caught.value.code == "birth_date_format"


def test_odd_but_possible_birth_dates_are_warnings():
    award = datetime.date(2026, 10, 15)
    assert birth.warnings(1990, 5, 17, award=award, today=TODAY) == []
    [old] = birth.warnings(1899, today=TODAY)
    assert (old.code, old.field, old.severity) == ("birth_year_old", "anneeNaissance", "warning")
    assert "1900" in old.message
    [young] = birth.warnings(2013, 1, 1, award=award, today=TODAY)
    assert young.code == "holder_too_young" and young.source.startswith("dictionnaire NC5")
    assert birth.warnings(2012, 10, 15, award=award, today=TODAY) == []  # just 14


# ------------------------------------------------------------- names


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Élodie", "ÉLODIE"),
        ("  martin  ", "MARTIN"),
        ("Jean   Pierre", "JEAN PIERRE"),
        ("Marie-Ange", "MARIE-ANGE"),
        ("d’Alembert", "D'ALEMBERT"),
        ("o'neil", "O'NEIL"),
        ("Noël\u00a0Çelik", "NOËL ÇELIK"),
        ("Zoe\u0301", "ZOÉ"),
        ("ÉLODIE", "ÉLODIE"),
    ],
)
def test_names_are_trimmed_and_upper_cased_keeping_accents(raw, expected):
    assert identity.normalize_name(raw) == expected
    assert identity.normalize_name(expected) == expected


def test_name_normalisation_is_idempotent_and_keeps_every_letter():
    for raw in ("  éloïse   d’arc-en-ciel ", "ÅSA  Øre"):
        once = identity.normalize_name(raw)
        assert identity.normalize_name(once) == once
        assert [c for c in once if c.isalpha()] == [c.upper() for c in raw if c.isalpha()]


# --------------------------------------------------- certification code


@pytest.mark.parametrize("type_, code", [("RNCP", "RNCP35726"), ("RS", "RS5875")])
def test_matching_type_and_code(type_, code):
    assert identity.certification_code_kind(type_, code) == type_


@pytest.mark.parametrize("code", ["35726", "RNCP", "RNCP35726A", "RNCP-35726"])
def test_code_must_be_prefix_then_number(code):
    with pytest.raises(InvalidFormat, match="RNCP35726") as caught:
        identity.certification_code_kind("RNCP", code)
    assert caught.value.field == "code" and caught.value.code == "certification_code_format"


def test_a_code_with_a_separator_is_given_its_written_form():
    with pytest.raises(InvalidFormat, match="écrivez RNCP19117"):
        certification_code.validate("RNCP-19117")


@pytest.mark.parametrize("code", ["RNCP 35726", "rncp35726", " rs 5875 "])
def test_code_is_compacted_like_france_competences_writes_it(code):
    assert certification_code.is_valid(code)
    assert certification_code.validate(code) == "".join(code.split()).upper()


def test_type_must_match_the_code_prefix():
    with pytest.raises(InvalidComponent, match="corrigez le type") as caught:
        identity.certification_code_kind("RNCP", "RS5875")
    assert caught.value.field == "type" and caught.value.code == "certification_mismatch"


@pytest.mark.parametrize("type_", ["Diplôme d'Etablissement", "Diplôme Universitaire"])
def test_other_certification_types_are_refused_with_a_message_about_the_type(type_):
    """NC5 V22 #4.1 lists them; general guide V5 §2.5: only RNCP and RS are collected."""
    with pytest.raises(InvalidComponent, match="RNCP et RS") as caught:
        identity.certification_code_kind(type_, "RNCP35726")
    assert caught.value.field == "type" and caught.value.code == "certification_type"
    assert f"« {type_} »" in str(caught.value) and "indiquez RNCP" in str(caught.value)
    with pytest.raises(InvalidComponent, match="indiquez RNCP ou RS"):
        certification_code.validate_type(type_, "DU-42")


def test_compact_code_removes_spaces_and_upper_cases():
    assert identity.compact_code(" rs 5875\t") == "RS5875"
    assert identity.compact_code("2a004") == "2A004"
    assert certification_code.compact_type(" rs ") == "RS"
    assert certification_code.format("rncp 35726") == "RNCP35726"
    assert certification_code.kind("RS5875") == "RS"
