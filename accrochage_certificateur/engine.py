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


def check_identity(facts, *, today, award_date=None, version=DEFAULT_VERSION):
    """``(errors, warnings)``: the engine's findings about a holder's identity alone.

    What a contact refuses on save (errors: a month 13, a day that does not
    exist, a birth in the future, an INSEE code of the wrong shape, a NIR
    whose key is wrong, …) and what its form shows as a warning (a holder
    under 14 or 100 and over at ``award_date``, a NIR that disagrees with the
    civil status). Missing values are not reported here: the passage does.

    Today the engine's identity checks are :mod:`accrochage.identity` (the
    NIR) and the pre-send rules on the identity facts; when the engine
    offers typed validators per fact, this is the one place to call them.
    """
    from accrochage.identity import nir13
    from accrochage.rules import check_passage

    keys = identity_keys(version)
    errors, warnings = [], []
    nir = facts.get(NIR)
    if nir:
        try:
            nir13(nir)
        except AccrochageError as error:
            errors.append((NIR, str(error)))
    passage = dict(facts, dateDebutValidite=award_date)
    for finding in check_passage(passage, version=version, today=today):
        if finding.field not in keys or finding.code in MISSING:
            continue
        if finding.field == NIR and finding.code != "nir_provisional":
            continue  # the key and the format: checked above, whatever the branch
        (errors if finding.blocking else warnings).append((finding.field, finding.message))
    return errors, warnings


def raise_engine_error(env, error):
    """Re-raise an engine error as a ``UserError`` with its French message.

    Raised ``from None``: the user reads one sentence, never a traceback.
    """
    raise UserError(env._("Accrochage certificateur: %(message)s", message=str(error))) from None
