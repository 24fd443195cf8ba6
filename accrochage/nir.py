"""NIR (numéro d'inscription au répertoire, "numéro de sécurité sociale").

The holder's national identification number: sex digit, year and month of
birth, birthplace (department and commune, or 99 and the country for a
birth abroad), a serial number, then a 2-digit key. Schema 1.1.5 carries
its first 13 characters only, never the key (#10.1, reported; SPEC §2.4).

The key and the format are python-stdnum's ``stdnum.fr.nir``; its errors
become the engine's in one place (:func:`accrochage.exceptions.from_stdnum`).
No message ever repeats the number.

Following stdnum's CONTRIBUTING, rejecting a valid number is much worse
than accepting an invalid one: a NIR may legitimately disagree with the
civil status (special months for an unknown birth month, the 1968 split of
Seine and Seine-et-Oise, Corsica's 20 before 1976), and those cases pass.

More information:

* https://www.insee.fr/fr/metadonnees/definition/c1409 (INSEE, NIR)
* https://xml.insee.fr/schema/nir.html
* CDC data dictionary NC5 V22, block 8 (the civil status the NIR encodes)

>>> validate("2 90 05 69 123 045 60")
'290056912304560'
>>> validate("290056912304561")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidChecksum: La clé du NIR ne correspond pas ...
>>> validate("2900569123")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidLength: Le NIR doit compter 15 caractères ...
>>> validate("290052C12304560")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidFormat: Le NIR ne doit contenir que des chiffres ...
>>> validate("590056912304507")
Traceback (most recent call last):
...
accrochage.exceptions.InvalidComponent: Le premier chiffre du NIR ...
>>> validate("253072B07300470")  # Corsica: 2B counts as 18 in the key
'253072B07300470'
>>> format("290056912304560")
'2 90 05 69 123 045 60'
>>> to_13("290056912304560")
'2900569123045'
"""

from __future__ import annotations

from stdnum.fr import nir as _stdnum_nir

from .exceptions import VALUE_ERRORS, InvalidComponent, from_stdnum
from .findings import WARNING, Finding

__all__ = [
    "coherence",
    "compact",
    "format",
    "is_provisional",
    "is_valid",
    "to_13",
    "validate",
    "validate_civil_status",
    "warnings",
]

#: fact key of the NIR in a passage, and its dictionary id (schema 1.1.5)
FIELD = "nir"
DICO_ID = "10.1"

_FIX = "recopiez-le depuis la carte Vitale ou une attestation de droits."
_MESSAGES = {
    "length": "Le NIR doit compter 15 caractères (13 chiffres et la clé de 2 chiffres) : " + _FIX,
    "format": "Le NIR ne doit contenir que des chiffres (2A ou 2B pour la Corse) : " + _FIX,
    "checksum": (
        "La clé du NIR ne correspond pas à ses 13 premiers caractères : "
        "une faute de frappe est probable, vérifiez le numéro."
    ),
    "component": "Le NIR est invalide : vérifiez le numéro.",
}

#: first digit → sex: 1/2 definitive, 3/4 numbers of the former register of
#: people born abroad, 7/8 provisional (NIA); odd is male, even is female
_SEX = {"1": "M", "3": "M", "7": "M", "2": "F", "4": "F", "8": "F"}
#: departments whose numbers changed: Corsica (20 → 2A/2B in 1976) and the
#: 1968 split of Seine (75) and Seine-et-Oise (78) into 75, 78, 91-95
_SAME_DEPARTMENT = (
    frozenset({"20", "2A", "2B"}),
    frozenset({"75", "78", "91", "92", "93", "94", "95"}),
)


def _errors():
    return from_stdnum("nir", _MESSAGES, field=FIELD, dico_id=DICO_ID)


def compact(number):
    """Strip spaces and dots, upper-case (``2a`` → ``2A``).

    >>> compact(" 2 53 07 2b 073 004 70 ")
    '253072B07300470'
    """
    return _stdnum_nir.compact(str(number))


def _check_components(number):
    if number[:1] not in _SEX:
        raise InvalidComponent(
            "Le premier chiffre du NIR doit être 1 ou 2 (3, 4, 7 ou 8 pour un numéro "
            "attribué à une personne née à l'étranger ou provisoire) : " + _FIX,
            field=FIELD,
            dico_id=DICO_ID,
            code="nir_sex_digit",
        )


def validate(number):
    """Return the compact 15-character NIR if its key matches, else raise.

    >>> validate("190056912304514")
    Traceback (most recent call last):
    ...
    accrochage.exceptions.InvalidChecksum: La clé du NIR ne correspond pas ...
    """
    with _errors():
        number = _stdnum_nir.validate(str(number))
    _check_components(number)
    return number


def is_valid(number):
    """True when :func:`validate` accepts the number.

    >>> is_valid("295109912611193"), is_valid("295109912611194")
    (True, False)
    """
    try:
        validate(number)
    except VALUE_ERRORS:
        return False
    return True


def format(number, separator=" "):  # noqa: A001 (stdnum's verb)
    """The NIR as printed on a carte Vitale: ``2 90 05 69 123 045 60``."""
    return _stdnum_nir.format(str(number), separator)


def to_13(number):
    """The 13 characters that may be written (schema 1.1.5, #10.1): never the key.

    A 15-character NIR has its key verified first; a 13-character one can
    only be checked for its format.

    >>> to_13("253072B073004")
    '253072B073004'
    >>> to_13("2900569123045 61")
    Traceback (most recent call last):
    ...
    accrochage.exceptions.InvalidChecksum: La clé du NIR ne correspond pas ...
    """
    number = compact(number)
    if len(number) == 13:
        # stdnum validates 15 characters only: with "00", never a key (keys
        # run from 01 to 97), a well-formed number fails on its key alone
        with _errors():
            try:
                _stdnum_nir.validate(number + "00")
            except _stdnum_nir.InvalidChecksum:
                pass
        _check_components(number)
        return number
    return validate(number)[:13]


def is_provisional(number):
    """True for a provisional number (NIA, first digit 7 or 8).

    >>> is_provisional("790056912304504"), is_provisional("290056912304560")
    (True, False)
    """
    return compact(number)[:1] in ("7", "8")


def warnings(number):
    """Warnings (:class:`~accrochage.findings.Finding`) for a valid NIR that
    deserves a second look: a provisional number (NIA).

    >>> [finding.code for finding in warnings("790056912304504")]
    ['nir_provisional']
    >>> warnings("290056912304560")
    []
    """
    if is_provisional(number):
        return [
            Finding(
                WARNING,
                "nir_provisional",
                "Le NIR est un numéro provisoire (NIA, 1er chiffre 7 ou 8) : demandez au "
                "titulaire son NIR définitif.",
                field=FIELD,
                dico_id=DICO_ID,
                source="INSEE, composition du NIR",
            )
        ]
    return []


def _same_department(nir_department, insee_department):
    if nir_department == insee_department:
        return True
    return any(nir_department in group and insee_department in group for group in _SAME_DEPARTMENT)


def coherence(number, *, sexe=None, annee=None, mois=None, code_insee=None):
    """Compare a NIR with the civil status; return ``(fact key, French message)``.

    Only disagreements that cannot be valid are reported: a NIR month outside
    1-12 (unknown or special registrations) and renumbered departments are
    accepted (NC5 V22 #8.6, #8.7, #8.9, #8.10).

    >>> coherence("290056912304560", sexe="F", annee=1990, mois=5, code_insee="69123")
    []
    >>> [key for key, _ in coherence("290056912304560", sexe="M", annee=1991)]
    ['sexe', 'anneeNaissance']
    >>> coherence("295109912611193", code_insee="99126")
    []
    """
    number = compact(number)
    problems = []
    expected_sex = _SEX.get(number[:1])
    if sexe in ("M", "F") and expected_sex and sexe != expected_sex:
        problems.append(
            ("sexe", "ne correspond pas au premier chiffre du NIR : vérifiez le sexe ou le NIR.")
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
    from . import insee

    try:
        kind = insee.kind(code_insee) if code_insee else None
    except VALUE_ERRORS:
        return None  # the INSEE check reports it
    department = number[5:7]
    if kind == insee.ABROAD:
        if department == "99" and number[7:10] != code_insee[2:]:
            return (
                "ne correspond pas au pays de naissance inscrit dans le NIR : "
                "vérifiez le code pays INSEE (99XXX) ou le NIR."
            )
        return None
    if kind is None:
        return None
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


_LABELS = {
    "sexe": "Le sexe",
    "anneeNaissance": "L'année de naissance",
    "moisNaissance": "Le mois de naissance",
    "codeInsee": "Le code INSEE de naissance",
}
_DICO_IDS = {"sexe": "8.9", "anneeNaissance": "8.6", "moisNaissance": "8.7", "codeInsee": "8.10"}


def validate_civil_status(number, *, sexe=None, annee=None, mois=None, code_insee=None):
    """Validate the NIR, then raise on the first civil-status fact it contradicts.

    For a form where the NIR and the civil status are typed together (the
    holder's contact): the error names the civil-status field.

    >>> validate_civil_status("290056912304560", sexe="F", annee=1990, mois=5)
    '290056912304560'
    >>> validate_civil_status("290056912304560", sexe="M")
    Traceback (most recent call last):
    ...
    accrochage.exceptions.InvalidComponent: Le sexe ne correspond pas au premier chiffre du NIR ...
    >>> try:
    ...     validate_civil_status("290056912304560", annee=1991)
    ... except InvalidComponent as error:
    ...     error.code, error.field, error.dico_id
    ('nir_mismatch', 'anneeNaissance', '8.6')
    """
    number = validate(number)
    for key, message in coherence(number, sexe=sexe, annee=annee, mois=mois, code_insee=code_insee):
        raise InvalidComponent(
            f"{_LABELS[key]} {message}", field=key, dico_id=_DICO_IDS[key], code="nir_mismatch"
        )
    return number
