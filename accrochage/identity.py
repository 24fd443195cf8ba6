"""Identity of the holder: NIR, INSEE birthplace code, names, certification code.

One small function per coded value, with python-stdnum's verbs: ``compact``
cleans, ``validate`` returns the clean value or raises one of the engine's
errors (:mod:`accrochage.exceptions`), ``is_valid`` says yes or no. Every
error message is French and says what to fix; none ever repeats a NIR.

Sources: the CDC data dictionary NC5 V22 (blocks 4, 8 and 10) and
python-stdnum's ``stdnum.fr.nir`` for the NIR key. Following stdnum's
CONTRIBUTING, rejecting a valid number is much worse than accepting an
invalid one: when a NIR may legitimately disagree with the civil status
(special months, the 1968 split of Seine and Seine-et-Oise, Corsica before
1976), the coherence checks stay silent.

>>> validate_nir("2 90 05 69 123 045 60")
'290056912304560'
>>> nir13("290056912304560")
'2900569123045'
>>> insee_kind("2A004"), insee_kind("97105"), insee_kind("99352")
('france', 'france', 'abroad')
>>> normalize_name("  jean-  d’arc  élodie ")
"JEAN- D'ARC ÉLODIE"
>>> certification_code_kind("RNCP", "RNCP35726")
'RNCP'
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager

from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import nir as stdnum_nir

from .exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

__all__ = [
    "CERTIFICATION_TYPES",
    "certification_code_kind",
    "compact_code",
    "compact_nir",
    "insee_kind",
    "is_valid_nir",
    "nir13",
    "nir_coherence",
    "nir_is_provisional",
    "normalize_name",
    "validate_nir",
]

# --------------------------------------------------------------------- NIR

_NIR_MESSAGES = {
    stdnum_exceptions.InvalidLength: (
        InvalidLength,
        "Le NIR doit compter 15 caractères (13 chiffres et la clé de 2 chiffres) : "
        "recopiez-le depuis la carte Vitale ou une attestation de droits.",
    ),
    stdnum_exceptions.InvalidFormat: (
        InvalidFormat,
        "Le NIR ne doit contenir que des chiffres (2A ou 2B pour la Corse) : "
        "recopiez-le depuis la carte Vitale ou une attestation de droits.",
    ),
    stdnum_exceptions.InvalidChecksum: (
        InvalidChecksum,
        "La clé du NIR ne correspond pas à ses 13 premiers caractères : "
        "une faute de frappe est probable, vérifiez le numéro.",
    ),
}
_NIR_FALLBACK = (InvalidComponent, "Le NIR est invalide : vérifiez le numéro.")


@contextmanager
def _nir_errors():
    """The one place stdnum's errors become the engine's (no NIR in them)."""
    try:
        yield
    except stdnum_exceptions.ValidationError as error:
        kind, message = _NIR_FALLBACK
        for stdnum_kind, (engine_kind, engine_message) in _NIR_MESSAGES.items():
            if type(error) is stdnum_kind:
                kind, message = engine_kind, engine_message
        raise kind(message, field="nir") from None


def compact_nir(number):
    """Strip spaces and dots, upper-case (``2a`` → ``2A``).

    >>> compact_nir(" 2 53 07 2b 073 004 70 ")
    '253072B07300470'
    """
    return stdnum_nir.compact(str(number))


def validate_nir(number):
    """Return the 15-character NIR if its key matches, else raise.

    >>> validate_nir("253072B07300470")  # Corsica: 2B counts as 18 in the key
    '253072B07300470'
    >>> validate_nir("290056912304561")
    Traceback (most recent call last):
    ...
    accrochage.exceptions.InvalidChecksum: La clé du NIR ne correspond pas ...
    >>> validate_nir("29005691230")
    Traceback (most recent call last):
    ...
    accrochage.exceptions.InvalidLength: Le NIR doit compter 15 caractères ...
    >>> validate_nir("2900X69123045 60")
    Traceback (most recent call last):
    ...
    accrochage.exceptions.InvalidFormat: Le NIR ne doit contenir que des chiffres ...
    """
    with _nir_errors():
        return stdnum_nir.validate(str(number))


def is_valid_nir(number):
    """True when :func:`validate_nir` accepts the number.

    >>> is_valid_nir("295109912611193"), is_valid_nir("295109912611194")
    (True, False)
    """
    try:
        validate_nir(number)
    except (InvalidFormat, InvalidChecksum, InvalidComponent):
        return False
    return True


def nir13(number):
    """The 13 characters that may be written (schema 1.1.5, #10.1): never the key.

    A 15-character NIR has its key verified first; a 13-character one can
    only be checked for its format.

    >>> nir13("2 90 05 69 123 045 60")
    '2900569123045'
    >>> nir13("253072B073004")
    '253072B073004'
    >>> nir13("290056912304561")
    Traceback (most recent call last):
    ...
    accrochage.exceptions.InvalidChecksum: La clé du NIR ne correspond pas ...
    """
    number = compact_nir(number)
    if len(number) == 13:
        # stdnum only validates 15 characters: add "00", which is never a key
        # (keys run from 01 to 97), so a well-formed number fails on its key
        with _nir_errors():
            try:
                stdnum_nir.validate(number + "00")
            except stdnum_exceptions.InvalidChecksum:
                return number
    return validate_nir(number)[:13]


def nir_is_provisional(number):
    """True for a provisional number (NIA, first digit 7 or 8).

    >>> nir_is_provisional("790056912304504"), nir_is_provisional("290056912304560")
    (True, False)
    """
    return compact_nir(number)[:1] in ("7", "8")


#: first digit of the NIR → sex: 1/2 definitive, 3/4 former foreigners' numbers,
#: 7/8 provisional (NIA); odd is male, even is female
_NIR_SEX = {"1": "M", "3": "M", "7": "M", "2": "F", "4": "F", "8": "F"}
#: departments whose numbers changed: Corsica (20 → 2A/2B in 1976) and the
#: 1968 split of Seine (75) and Seine-et-Oise (78) into 75, 78, 91-95
_SAME_DEPARTMENT = (
    frozenset({"20", "2A", "2B"}),
    frozenset({"75", "78", "91", "92", "93", "94", "95"}),
)


def _same_department(nir_department, insee_department):
    if nir_department == insee_department:
        return True
    return any(nir_department in group and insee_department in group for group in _SAME_DEPARTMENT)


def nir_coherence(number, *, sexe=None, annee=None, mois=None, code_insee=None):
    """Compare a NIR with the civil status; return ``(fact key, French message)``.

    Only disagreements that cannot be valid are reported: a NIR month outside
    1-12 (unknown or special registrations) and renumbered departments are
    accepted (NC5 V22 #8.6, #8.7, #8.9, #8.10).

    >>> nir_coherence("290056912304560", sexe="F", annee=1990, mois=5, code_insee="69123")
    []
    >>> [key for key, _ in nir_coherence("290056912304560", sexe="M", annee=1991)]
    ['sexe', 'anneeNaissance']
    >>> nir_coherence("295109912611193", code_insee="99126")
    []
    """
    number = compact_nir(number)
    problems = []
    expected_sex = _NIR_SEX.get(number[:1])
    if sexe in ("M", "F") and expected_sex and sexe != expected_sex:
        problems.append(
            (
                "sexe",
                "ne correspond pas au premier chiffre du NIR : vérifiez le sexe ou le NIR.",
            )
        )
    if isinstance(annee, int) and number[1:3].isdigit() and annee % 100 != int(number[1:3]):
        problems.append(
            (
                "anneeNaissance",
                "ne correspond pas à l'année inscrite dans le NIR (2e et 3e chiffres) : "
                "vérifiez l'année de naissance ou le NIR.",
            )
        )
    nir_month = int(number[3:5]) if number[3:5].isdigit() else 0
    if isinstance(mois, int) and 1 <= nir_month <= 12 and mois != nir_month:
        problems.append(
            (
                "moisNaissance",
                "ne correspond pas au mois inscrit dans le NIR (4e et 5e chiffres) : "
                "vérifiez le mois de naissance ou le NIR.",
            )
        )
    problem = _birthplace_problem(number, code_insee)
    if problem:
        problems.append(("codeInsee", problem))
    return problems


def _birthplace_problem(number, code_insee):
    try:
        kind = insee_kind(code_insee) if code_insee else None
    except (InvalidFormat, InvalidComponent):
        return None  # the INSEE check reports it
    department = number[5:7]
    if kind == "abroad":
        if department == "99" and number[7:10] != code_insee[2:]:
            return (
                "ne correspond pas au pays de naissance inscrit dans le NIR : "
                "vérifiez le code pays INSEE (99XXX) ou le NIR."
            )
        return None
    if kind == "france":
        if department == "99":
            return (
                "désigne une commune française alors que le NIR indique une naissance "
                "à l'étranger : vérifiez le code INSEE de naissance ou le NIR."
            )
        if not _same_department(department, code_insee[:2]):
            return (
                "ne correspond pas au département de naissance inscrit dans le NIR "
                "(6e et 7e caractères) : vérifiez le code INSEE de naissance ou le NIR."
            )
    return None


# ---------------------------------------------------------- INSEE commune

#: metropolitan departments 01-95 and Corsica 2A/2B, then overseas 971-978 and
#: the overseas collectivities 984-989 (New Caledonia, Polynesia, …), then abroad
# (20 is Corsica before 1976: today's codes use 2A/2B)
_INSEE_FRANCE = re.compile(
    r"(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5])[0-9]{3}|9(7[1-8]|8[4-9])[0-9]{2}"
)
_INSEE_ABROAD = re.compile(r"99[0-9]{3}")
INSEE_FRANCE_COUNTRY = "99100"


def compact_code(code):
    """Remove every space and upper-case a code (INSEE, RNCP, RS).

    >>> compact_code(" rncp 35726 ")
    'RNCP35726'
    """
    return "".join(str(code).split()).upper()


def insee_kind(code):
    """``"france"`` or ``"abroad"`` for an INSEE birthplace code (NC5 V22 #8.10).

    The code of a commune: department (2 digits, 2A/2B for Corsica, 97x/98x
    overseas on 3 digits) then the commune. Born abroad: the INSEE code of
    the country, ``99XXX``.

    >>> insee_kind("69123")
    'france'
    >>> insee_kind("20004")
    Traceback (most recent call last):
    ...
    accrochage.exceptions.InvalidFormat: Le code INSEE de naissance ...
    >>> insee_kind("99100")
    Traceback (most recent call last):
    ...
    accrochage.exceptions.InvalidComponent: Le code 99100 désigne la France...
    """
    code = str(code)
    if _INSEE_ABROAD.fullmatch(code):
        if code == INSEE_FRANCE_COUNTRY:
            raise InvalidComponent(
                "Le code 99100 désigne la France, pas une commune : pour une personne "
                "née en France, indiquez le code INSEE de sa commune de naissance.",
                field="codeInsee",
            )
        return "abroad"
    if _INSEE_FRANCE.fullmatch(code):
        return "france"
    raise InvalidFormat(
        "Le code INSEE de naissance doit compter 5 caractères : le département "
        "(2 chiffres, 2A ou 2B pour la Corse, 97X outre-mer) puis la commune, ou "
        "99XXX pour une naissance à l'étranger ; corrigez-le d'après la liste des "
        "communes de l'INSEE.",
        field="codeInsee",
    )


# ------------------------------------------------------------------ names

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


def normalize_name(text):
    """Trim, collapse inner spaces, upper-case keeping accents (NC5 V22 #8.1-#8.5).

    Hyphens and apostrophes stay: the CDC's matching ignores accents but
    counts hyphens in compound first names. Typographic apostrophes become
    ``'`` and the text is put in Unicode NFC form, so a name typed on any
    keyboard has one spelling and one length.

    >>> normalize_name("  Élodie   marie-Ange ")
    'ÉLODIE MARIE-ANGE'
    >>> normalize_name("d’Estaing")
    "D'ESTAING"
    >>> len(normalize_name("Zoe\\u0301"))  # decomposed é counts once
    3
    """
    text = unicodedata.normalize("NFC", str(text)).translate(_APOSTROPHES)
    return " ".join(text.split()).upper()


# -------------------------------------------------- certification code

#: the types the CDC accepts (S-GUIDE §2.4); each is also the code's prefix
CERTIFICATION_TYPES = ("RNCP", "RS")
_CERTIFICATION_CODE = re.compile(r"(RNCP|RS)([0-9]+)")


def certification_code_kind(type_, code):
    """The certification type if ``type_`` and ``code`` agree (NC5 V22 #4.1, #4.2).

    The CDC rejects a passage whose code is unknown or does not match its
    type ("Le statut de la certification … est KO").

    >>> certification_code_kind("RS", "RS5875")
    'RS'
    >>> certification_code_kind("RNCP", "35726")
    Traceback (most recent call last):
    ...
    accrochage.exceptions.InvalidFormat: Le code de la certification doit ...
    >>> certification_code_kind("RNCP", "RS5875")
    Traceback (most recent call last):
    ...
    accrochage.exceptions.InvalidComponent: Le code RS5875 est une fiche RS ...
    """
    match = _CERTIFICATION_CODE.fullmatch(str(code))
    if not match:
        raise InvalidFormat(
            "Le code de la certification doit être le préfixe RNCP ou RS suivi du numéro "
            "de la fiche France compétences, sans espace (ex. RNCP35726, RS5875).",
            field="code",
        )
    if type_ not in CERTIFICATION_TYPES:
        raise InvalidComponent(
            "Le type de certification doit être RNCP ou RS (seules ces certifications "
            f"sont transmises) : indiquez {match.group(1)} pour le code {code}.",
            field="type",
        )
    if match.group(1) != type_:
        raise InvalidComponent(
            f"Le code {code} est une fiche {match.group(1)} alors que le type est {type_} : "
            f"corrigez le type ({match.group(1)}) ou le code.",
            field="type",
        )
    return type_
