"""The addon's one door to the engine ``accrochage`` (pure Python).

Everything regulatory comes from there: enumerations and labels from the
data dictionary, pre-send rules, identity checks, the XML writer, the
receipt parser, the importer. This module only adapts it to Odoo:
selection lists for fields, help texts, the identity checks a contact
runs when it is saved (:func:`check_identity`), :func:`run_pipeline`, the
one call of the engine's deposit pipeline (deposits, the passages' check,
the cron), and :func:`raise_engine_error`, the one place an engine error
becomes a ``UserError``.
"""

import hashlib
import hmac
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
    "holder_fingerprint",
    "identity_keys",
    "prepare_passage",
    "raise_engine_error",
    "run_pipeline",
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


def prepare_passage(facts, version=DEFAULT_VERSION):
    """A passage as the pipeline sends it: normalised and completed."""
    from accrochage.pipeline import prepare_passage as prepare

    return prepare(facts, version=version)


def holder_fingerprint(passage, secret, *, version=DEFAULT_VERSION, prepared=False):
    """A keyed hash (HMAC with ``secret``) of who ``passage`` is for the "same
    holder twice" warning (:func:`accrochage.pipeline.holder_key`), or None:
    stored, it finds the passages of the same holder, certification and exam
    date by index, and gives away neither the NIR nor the civil status."""
    from accrochage.pipeline import holder_key

    key = holder_key(passage, version=str(version), prepared=prepared)
    if key is None:
        return None
    return hmac.digest(secret, repr(key).encode(), hashlib.sha256).hex()


def run_pipeline(
    rows,
    out_dir=None,
    *,
    version=DEFAULT_VERSION,
    today=None,
    now=None,
    strict=False,
    accepted_ids=(),
    other_rows=(),
    other_holders=(),
    row_label=None,
    flux_seed=None,
    on_row=None,
    action="CREATION",
):
    """Run the engine's deposit pipeline over ``rows``: the addon's one way in.

    ``rows``: ``(row number, passage dict)`` pairs, the row number naming the
    record (its id). The pipeline normalises and completes each passage,
    checks it alone and across rows, and writes into ``out_dir`` (None:
    check only) what no blocking finding keeps out. ``accepted_ids``: the
    ``idTechnique`` values the CDC has already recorded; ``other_rows``:
    ``(row number, idTechnique)`` of records outside ``rows`` that count for
    the repeated-id check (the other passages of the database);
    ``other_holders``: ``(row number, passage dict)`` of records outside
    ``rows`` that count for the "same holder twice" warning.
    ``row_label(row)`` names a row in messages; ``action`` is the flux's
    (CREATION, or SUPPRESSION with schema 1.1.5). ``on_row`` gets each
    :class:`accrochage.pipeline.RowOutcome`. Returns the
    :class:`accrochage.pipeline.Result`; an engine error is raised as is
    (:func:`raise_engine_error` turns it into a ``UserError``).
    """
    from accrochage import pipeline

    rows = [pipeline.Row(row, facts) for row, facts in rows]
    entries = [(None, item.row, item.passage.get("idTechnique")) for item in rows]
    entries += [(None, row, ident) for row, ident in other_rows]
    options = pipeline.Options(
        version=str(version),
        today=today,
        now=now,
        strict=bool(strict),
        accepted_ids=frozenset(accepted_ids),
        row_label=(lambda _origin, row: row_label(row)) if row_label else None,
        flux_seed=flux_seed,
        action=action,
    )
    return pipeline.run(
        rows,
        out_dir,
        options=options,
        on_row=on_row,
        duplicates=pipeline.find_duplicate_ids(entries),
        holders=[(None, row, facts) for row, facts in other_holders],
    )


def raise_engine_error(env, error):
    """Re-raise an engine error as a ``UserError`` with its French message.

    Raised ``from None``: the user reads one sentence, never a traceback.
    """
    raise UserError(env._("Accrochage certificateur: %(message)s", message=str(error))) from None
