"""The addon's one door to the engine ``accrochage`` (pure Python).

Everything regulatory comes from there: enumerations and labels from the
data dictionary, pre-send rules, the XML writer, the receipt parser, the
importer. This module only adapts it to Odoo: selection lists for fields,
help texts, and :func:`raise_engine_error`, the one place an engine error
becomes a ``UserError``.
"""

from odoo.exceptions import UserError

from accrochage.dictionary import DEFAULT_VERSION, VERSIONS, get_schema
from accrochage.exceptions import AccrochageError

__all__ = [
    "DEFAULT_VERSION",
    "VERSIONS",
    "AccrochageError",
    "enum_selection",
    "fact_help",
    "get_schema",
    "raise_engine_error",
    "version_selection",
]


def enum_selection(key, version=DEFAULT_VERSION):
    """Selection list of the CDC enumeration behind a fact key.

    The codes and French labels come from the dictionary table: a field that
    mirrors a CDC list never restates it.
    """
    return list(get_schema(version).by_key[key].value.choices)


def fact_help(key, version=DEFAULT_VERSION):
    """Help text of a fact: its dictionary reference and the CDC's advice."""
    node = get_schema(version).by_key[key]
    return " ".join(part for part in (f"CDC {node.ref}.", node.help) if part)


def version_selection():
    return [(version, version) for version in VERSIONS]


def raise_engine_error(env, error):
    """Re-raise an engine error as a ``UserError`` with its French message.

    Raised ``from None``: the user reads one sentence, never a traceback.
    """
    raise UserError(env._("Accrochage certificateur: %(message)s", message=str(error))) from None
