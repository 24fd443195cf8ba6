"""Values of a passage: Python values in, XML text out, user text in.

A passage is a plain ``dict`` keyed by the dictionary's fact keys
(``schema.by_key``): ``str``, ``int``, ``bool``, ``datetime.date`` or
``None`` (unknown: omitted, or ``xsi:nil`` where the field is nillable).
The repeated DigComp results sit under ``"resultats"`` as a list of dicts.

``to_xml_text`` is the one place a value becomes XML text; ``parse_text``
the one place user text (CSV, XLSX, CLI) becomes a value. Both are driven by
the dictionary row.

>>> from accrochage.dictionary import get_schema
>>> schema = get_schema("1.1.2")
>>> to_xml_text(schema.by_key["donneeCertifiee"], True)
'true'
>>> import datetime
>>> to_xml_text(schema.by_key["dateDebutValidite"], datetime.date(2024, 7, 1))
'2024-07-01'
>>> parse_text(schema.by_key["presenceNiveauLangueEuro"], "NON")
False
>>> parse_text(schema.by_key["codeInsee"], "1053")
'01053'
>>> parse_text(schema.by_key["mentionValidee"], "NILL") is None
True
"""

from __future__ import annotations

import datetime
import re

from .dictionary import Boolean, Date, DateTime, Enum, Integer, Text
from .exceptions import InvalidFormat

#: spellings of "unknown" found in the CDC template ("nill", "NILL", "nil")
NIL_WORDS = frozenset({"", "nil", "nill", "null", "néant"})
TRUE_WORDS = frozenset({"true", "vrai", "oui", "o", "yes", "y", "1", "x"})
FALSE_WORDS = frozenset({"false", "faux", "non", "n", "no", "0"})
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%Y")


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def to_xml_text(node, value) -> str:
    """The lexical form the CDC expects for ``value`` in ``node``."""
    kind = node.value
    if isinstance(kind, Boolean):
        return "true" if value else "false"
    if isinstance(kind, Date):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    if isinstance(kind, DateTime):
        if isinstance(value, datetime.datetime):
            return value.isoformat(timespec="seconds")
        return str(value)
    if isinstance(kind, Integer):
        return str(int(value)) if isinstance(value, (int, float)) else str(value)
    return str(value)


def _error(node, text, expected):
    return InvalidFormat(
        f"{node.label} ({node.ref}) : « {text} » n'est pas valide ; attendu : {expected}.",
        field=node.key,
        dico_id=node.dico_id,
    )


def parse_text(node, raw):
    """Turn a user-entered value (text, or a spreadsheet cell) into a value.

    Returns ``None`` for an empty cell or a "nill" marker. Raises
    :class:`InvalidFormat` with a French message naming the field.
    """
    if raw is None:
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if text.lower() in NIL_WORDS:
            return None
    else:
        text = raw
    kind = node.value
    if isinstance(kind, Boolean):
        return _parse_bool(node, text)
    if isinstance(kind, Date):
        return _parse_date(node, text)
    if isinstance(kind, Integer):
        return _parse_int(node, text, kind)
    if isinstance(kind, Enum):
        code = str(text).strip().upper()
        # the template writes TIERS_DE_CONFIANCE and EQUIVALENCE_(DIPLOME_ETRANGER)
        code = code.replace("TIERS_DE_CONFIANCE", "TIERS_CONFIANCE")
        code = re.sub(r"[()]", "", code).replace(" ", "_")
        if code not in kind.values:
            raise _error(node, text, kind.describe())
        return code
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    text = str(text).strip()
    # the CDC template stores some codes as numbers, losing their leading zeros
    if node.zero_pad and text.isdigit() and len(text) < kind.length:
        text = text.zfill(kind.length)
    return text


def _parse_bool(node, value):
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _error(node, value, "true/false (ou OUI/NON)")


def _parse_date(node, value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise _error(node, value, "une date AAAA-MM-JJ ou JJ/MM/AAAA")


def _parse_int(node, value, kind):
    if isinstance(value, bool):
        raise _error(node, value, kind.describe())
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    raise _error(node, value, kind.describe())


def check_text(node, text, *, short_lengths=False):
    """Check a text value against its dictionary row; return French problems.

    Used by the pre-send rules so that every XSD facet is checked before any
    XML is written. ``short_lengths`` applies the dictionary's stricter
    lengths (30/20/40) instead of the XSD's 60.
    """
    kind = node.value
    problems = []
    if isinstance(kind, Text):
        size = len(text)
        if kind.length is not None and size != kind.length:
            problems.append(
                (
                    "length",
                    f"doit compter exactement {kind.length} caractères (il en compte {size})",
                )
            )
        maximum = kind.max_length
        if short_lengths and node.dico_max_length:
            maximum = node.dico_max_length
        if kind.length is None and maximum is not None and size > maximum:
            problems.append(
                ("max_length", f"ne doit pas dépasser {maximum} caractères (il en compte {size})")
            )
        if kind.pattern and not re.fullmatch(kind.pattern, text):
            problems.append(("pattern", "n'a pas le format attendu"))
    return problems
