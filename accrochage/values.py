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
#: (each at most 5 characters: longer values skip the lookup)
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
    :class:`InvalidFormat` with a French message naming the field. The
    work is done by :func:`parser`, compiled once per dictionary row.

    >>> from accrochage.dictionary import get_schema
    >>> parse_text(get_schema().by_key["dateDebutValidite"], 46000)
    datetime.date(2025, 12, 9)
    """
    return parser(node)(raw)


#: compiled parsers, by node identity (schemas live as long as the process)
_PARSERS = {}


def parser(node):
    """The function ``raw -> value`` for one dictionary row, built once.

    The importer calls it for every cell, so the type dispatch, the word
    tables and the enumeration aliases are worked out here, not per cell.

    >>> from accrochage.dictionary import get_schema
    >>> schema = get_schema("1.1.2")
    >>> parse = parser(schema.by_key["natureDeposant"])
    >>> parse(" tiers_de_confiance "), parse("nill")
    ('TIERS_CONFIANCE', None)
    >>> parser(schema.by_key["jourNaissance"])("07")
    7
    """
    entry = _PARSERS.get(id(node))
    if entry is None or entry[0] is not node:
        entry = _PARSERS[id(node)] = (node, _build(node))
    return entry[1]


def _build(node):
    kind = node.value
    if isinstance(kind, Boolean):
        return _nil_aware(node, _parse_bool)
    if isinstance(kind, Date):
        return _nil_aware(node, _parse_date)
    if isinstance(kind, Integer):
        return _nil_aware(node, _parse_int)
    if isinstance(kind, Enum):
        return _nil_aware(node, _enum_parser(kind))
    return _text_parser(node)


def _nil_aware(node, parse):
    def parse_cell(raw):
        if raw is None:
            return None
        if type(raw) is str:
            text = raw.strip()
            if not text or (len(text) <= 5 and text.lower() in NIL_WORDS):
                return None
            return parse(node, text)
        return parse(node, raw)

    return parse_cell


def _text_parser(node):
    kind = node.value
    # the CDC template stores some codes as numbers, losing their leading zeros
    width = kind.length if node.zero_pad and getattr(kind, "length", None) else None

    def parse_cell(raw):
        if raw is None:
            return None
        if type(raw) is str:
            text = raw.strip()
            if not text or (len(text) <= 5 and text.lower() in NIL_WORDS):
                return None
        elif isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        else:
            text = str(raw).strip()
        if width and len(text) < width and text.isdigit():
            text = text.zfill(width)
        return text

    return parse_cell


#: the template's spellings of enumeration codes, beside the XSD ones
_ENUM_ALIASES = {"TIERS_DE_CONFIANCE": "TIERS_CONFIANCE"}


def _enum_parser(kind):
    codes = {code: code for code in kind.values}

    def parse(node, value):
        text = str(value).strip().upper()
        code = codes.get(text)
        if code is None:
            # the template writes TIERS_DE_CONFIANCE and EQUIVALENCE_(DIPLOME_ETRANGER)
            text = re.sub(r"[()]", "", _ENUM_ALIASES.get(text, text)).replace(" ", "_")
            text = text.replace("TIERS_DE_CONFIANCE", "TIERS_CONFIANCE")
            code = codes.get(text)
        if code is None:
            raise _error(node, value, kind.describe())
        return code

    return parse


_BOOLEANS = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}


def _parse_bool(node, value):
    if isinstance(value, bool):
        return value
    word = _BOOLEANS.get(str(value).strip().lower())
    if word is None:
        raise _error(node, value, "true/false (ou OUI/NON)")
    return word


#: day 0 of the spreadsheet date system ECMA-376 §18.17.4.1 calls "1900"
#: (serial 60 is Excel's fictitious 29 February 1900, so serials start at 61)
EXCEL_EPOCH = datetime.date(1899, 12, 30)
#: serials of 1900-03-01 and 2099-12-31: the years the CDC's date pattern allows
_SERIALS = (61, 73415)


def excel_serial_date(serial):
    """The date of a spreadsheet serial number (1900 date system), or None.

    A date typed in a "General" cell is stored as its serial number.

    >>> excel_serial_date(46000), excel_serial_date(46000.75), excel_serial_date(12)
    (datetime.date(2025, 12, 9), datetime.date(2025, 12, 9), None)
    """
    if isinstance(serial, bool) or not _SERIALS[0] <= serial <= _SERIALS[1]:
        return None
    return EXCEL_EPOCH + datetime.timedelta(days=int(serial))


def _parse_date(node, value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        date = excel_serial_date(value)
        if date is None:
            raise _error(node, value, "une date AAAA-MM-JJ ou JJ/MM/AAAA")
        return date
    text = str(value).strip()
    try:
        if len(text) == 10 and text[4] == "-":
            return datetime.date.fromisoformat(text)
        if len(text) == 10 and text[2] == "/" and text[5] == "/":
            return datetime.date(int(text[6:]), int(text[3:5]), int(text[:2]))
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise _error(node, value, "une date AAAA-MM-JJ ou JJ/MM/AAAA")


def _parse_int(node, value):
    if isinstance(value, bool):
        raise _error(node, value, node.value.describe())
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if text.isascii() and (text.isdigit() or re.fullmatch(r"[+-]\d+", text)):
        return int(text)
    raise _error(node, value, node.value.describe())


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
