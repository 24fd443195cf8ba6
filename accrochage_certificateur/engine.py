"""The addon's one door to the engine ``accrochage`` (pure Python).

Everything regulatory comes from there: enumerations and labels from the
data dictionary, pre-send rules, identity checks, the XML writer, the
receipt parser, the importer. This module only adapts it to Odoo:
selection lists for fields, help texts, the identity checks a contact
runs when it is saved (:func:`check_identity`), and
:func:`raise_engine_error`, the one place an engine error becomes a
``UserError``.
"""

from functools import cache

from odoo.exceptions import UserError

from accrochage.dictionary import DEFAULT_VERSION, VERSIONS, get_schema
from accrochage.docs import field_help
from accrochage.exceptions import AccrochageError

__all__ = [
    "DEFAULT_VERSION",
    "VERSIONS",
    "AccrochageError",
    "check_identity",
    "enum_selection",
    "fact_help",
    "fact_label",
    "get_schema",
    "identity_keys",
    "raise_engine_error",
    "version_selection",
]

#: findings about a value that is missing: a contact may be saved incomplete,
#: the passage reports what it still needs
MISSING = frozenset({"required", "choice_missing", "birthplace_unknown", "country_code_missing"})
#: fact key of the NIR in the engine's passages
NIR = "nir"


def enum_selection(key, version=DEFAULT_VERSION):
    """Selection list of the CDC enumeration behind a fact key.

    The codes and French labels come from the dictionary table: a field that
    mirrors a CDC list never restates it.
    """
    return list(get_schema(version).by_key[key].value.choices)


def fact_help(key, version=DEFAULT_VERSION):
    """Help text of a fact: what the CDC expects, in words, with its dictionary id."""
    return field_help(get_schema(version).by_key[key])


def fact_label(key, version=DEFAULT_VERSION):
    """The dictionary's French label of a fact and its id: ``Sexe (#8.9)``."""
    node = get_schema(version).by_key.get(key)
    if node is None:
        return key
    return f"{node.label} (#{node.dico_id})" if node.dico_id else node.label


def version_selection():
    return [(version, version) for version in VERSIONS]


@cache
def identity_keys(version=DEFAULT_VERSION):
    """Fact keys that identify the holder (block 8, 9 and the NIR of 1.1.5)."""
    schema = get_schema(version)
    branch = next(node for node in schema.nodes if node.path.endswith("identificationTitulaire"))
    keys = {node.key for node in schema.leaves if node.path.startswith(branch.path + "/")}
    return frozenset(keys | {NIR})


#: facts the typed validators check; the rules' findings on them would repeat them
VALIDATED = frozenset(
    {"anneeNaissance", "moisNaissance", "jourNaissance", "codeInsee", "codePostal", NIR}
)


def check_identity(facts, *, today, award_date=None, version=DEFAULT_VERSION):
    """``(errors, warnings)``: the engine's findings about a holder's identity alone.

    Each is a ``(fact key, French message)``. Errors are what a contact
    refuses on save: what the engine's typed validators refuse (a month 13,
    a day that does not exist, a birth in the future, an INSEE or postal code
    of the wrong shape, a NIR whose key is wrong or that contradicts the
    civil status) and the XSD's facets on the other identity facts (a name
    too long, …). Warnings are what is possible but odd (born before 1900,
    under 14 at ``award_date``, a provisional NIR, …), shown on the form.
    Missing values are not reported here: the passage says what it needs.

    This is the one place the addon calls the engine's identity checks.
    """
    from accrochage import birth, insee, nir, postal_code
    from accrochage.exceptions import VALUE_ERRORS
    from accrochage.rules import check_passage

    errors, warnings = [], []

    def passes(check, *args, **kwargs):
        try:
            check(*args, **kwargs)
        except VALUE_ERRORS as error:
            errors.append((error.field, str(error)))
            return False
        return True

    year, month, day = (
        facts.get(key) for key in ("anneeNaissance", "moisNaissance", "jourNaissance")
    )
    if year and passes(birth.validate, year, month, day, today=today):
        warnings += birth.warnings(year, month, day, award=award_date, today=today)
    elif not year and (month or day):
        # no year yet: only the month and the day can be checked
        passes(birth.validate, 2000, month, day, today=today)
    code = facts.get("codeInsee")
    if code and passes(insee.validate, code):
        warnings += insee.warnings(code)
    if facts.get("codePostal") and not code:
        passes(postal_code.validate, facts["codePostal"])
    number = facts.get(NIR)
    if number:
        coherent = {
            "sexe": facts.get("sexe"),
            "annee": year,
            "mois": month,
            "code_insee": code,
        }
        if len(nir.compact(number)) == 15:
            valid = passes(nir.validate_civil_status, number, **coherent)
        else:
            valid = passes(nir.to_13, number)
        if valid:
            warnings += nir.warnings(number)
    # the XSD's facets and the rules on the other identity facts
    keys = identity_keys(version)
    passage = dict(facts, dateDebutValidite=award_date)
    for finding in check_passage(passage, version=version, today=today):
        if finding.field not in keys or finding.field in VALIDATED or finding.code in MISSING:
            continue
        if finding.code == "nir_mismatch":
            continue  # validate_civil_status says it, on the field to fix
        (errors if finding.blocking else warnings).append(finding)

    def pairs(items):
        return [item if isinstance(item, tuple) else (item.field, item.message) for item in items]

    return pairs(errors), pairs(warnings)


def raise_engine_error(env, error):
    """Re-raise an engine error as a ``UserError`` with its French message.

    Raised ``from None``: the user reads one sentence, never a traceback.
    """
    raise UserError(env._("Accrochage certificateur: %(message)s", message=str(error))) from None
