"""Identity checks: NIR, INSEE birthplace code, names, certification code."""

import pytest

from accrochage import identity
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

    monkeypatch.setattr(identity.stdnum_nir, "validate", broken)
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


@pytest.mark.parametrize("code", ["99352", "99109", "99999"])
def test_country_codes_abroad(code):
    assert identity.insee_kind(code) == "abroad"


def test_france_as_a_country_is_refused_with_a_hint():
    with pytest.raises(InvalidComponent, match="commune de naissance"):
        identity.insee_kind("99100")


@pytest.mark.parametrize(
    "code", ["00123", "20004", "2C004", "96001", "97901", "1053", "690123", "ABCDE", ""]
)
def test_malformed_insee_codes_are_refused(code):
    with pytest.raises(InvalidFormat, match="2A ou 2B"):
        identity.insee_kind(code)


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


@pytest.mark.parametrize("code", ["35726", "RNCP", "RNCP 35726", "rncp35726", "RNCP35726A"])
def test_code_must_be_prefix_then_number(code):
    with pytest.raises(InvalidFormat, match="RNCP35726") as caught:
        identity.certification_code_kind("RNCP", code)
    assert caught.value.field == "code"


def test_type_must_match_the_code_prefix():
    with pytest.raises(InvalidComponent, match="corrigez le type") as caught:
        identity.certification_code_kind("RNCP", "RS5875")
    assert caught.value.field == "type"


def test_other_certification_types_are_refused():
    with pytest.raises(InvalidComponent, match="RNCP ou RS") as caught:
        identity.certification_code_kind("Diplôme d'Etablissement", "RNCP35726")
    assert caught.value.field == "type"


def test_compact_code_removes_spaces_and_upper_cases():
    assert identity.compact_code(" rs 5875\t") == "RS5875"
    assert identity.compact_code("2a004") == "2A004"
