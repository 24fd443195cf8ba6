"""Values typed by users become the CDC's lexical forms, or a French error."""

import datetime

import pytest

from accrochage.dictionary import get_schema
from accrochage.exceptions import InvalidFormat
from accrochage.values import check_text, is_blank, parse_text, to_xml_text

SCHEMA = get_schema("1.1.2")
NODE = SCHEMA.by_key


@pytest.mark.parametrize(
    "key, raw, expected",
    [
        ("donneeCertifiee", "OUI", True),
        ("donneeCertifiee", "false", False),
        ("donneeCertifiee", True, True),
        ("dateDebutValidite", "15/10/2026", datetime.date(2026, 10, 15)),
        ("dateDebutValidite", datetime.datetime(2026, 10, 15, 0, 0), datetime.date(2026, 10, 15)),
        ("dateDebutValidite", datetime.date(2026, 10, 15), datetime.date(2026, 10, 15)),
        ("anneeNaissance", "1990", 1990),
        ("anneeNaissance", 1990.0, 1990),
        ("anneeNaissance", 1990, 1990),
        ("natureDeposant", "TIERS_DE_CONFIANCE", "TIERS_CONFIANCE"),
        ("modaliteAcces", "EQUIVALENCE_(DIPLOME_ETRANGER)", "EQUIVALENCE_DIPLOME_ETRANGER"),
        ("sexe", " f ", "F"),
        ("codeInsee", 1053, "01053"),
        ("codePaysNaissance", "99", "099"),
        ("codePostal", 91160.0, "91160"),
        ("scoring", "NILL", None),
        ("nomUsage", "  ", None),
        ("nomUsage", None, None),
    ],
)
def test_parse_text_understands_what_the_template_holds(key, raw, expected):
    assert parse_text(NODE[key], raw) == expected


@pytest.mark.parametrize(
    "key, raw",
    [
        ("donneeCertifiee", "peut-être"),
        ("dateDebutValidite", "2026-13-45"),
        ("anneeNaissance", "mil neuf cent"),
        ("anneeNaissance", True),
        ("sexe", "X"),
    ],
)
def test_parse_text_errors_name_the_field_in_french(key, raw):
    with pytest.raises(InvalidFormat) as error:
        parse_text(NODE[key], raw)
    assert NODE[key].dico_id in str(error.value)
    assert error.value.field == key


def test_to_xml_text_gives_cdc_forms():
    assert to_xml_text(NODE["presenceNiveauLangueEuro"], False) == "false"
    assert to_xml_text(NODE["anneeNaissance"], 1990) == "1990"
    assert to_xml_text(NODE["dateFinValidite"], "2030-01-01") == "2030-01-01"
    stamp = datetime.datetime(
        2026, 7, 1, 10, 0, 0, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    assert to_xml_text(NODE["horodatage"], stamp) == "2026-07-01T10:00:00+02:00"
    assert to_xml_text(NODE["horodatage"], "x") == "x"
    assert to_xml_text(NODE["nomNaissance"], "MARTIN") == "MARTIN"


def test_check_text_reports_lengths_and_patterns():
    assert check_text(NODE["idClientEmetteur"], "1234567") == [
        ("length", "doit compter exactement 8 caractères (il en compte 7)")
    ]
    assert check_text(NODE["nomNaissance"], "A" * 61)[0][0] == "max_length"
    assert check_text(NODE["nomNaissance"], "A" * 31) == []
    assert check_text(NODE["nomNaissance"], "A" * 31, short_lengths=True)[0][0] == "max_length"
    nir = get_schema("1.1.5").by_key["nir"]
    assert check_text(nir, "3900599123456")[0][0] == "pattern"
    assert check_text(nir, "2900599123456") == []


def test_is_blank():
    assert is_blank(None) and is_blank(" ") and not is_blank(0) and not is_blank("x")
