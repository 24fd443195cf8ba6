"""The building blocks of a dictionary table: value types and nodes.

A schema version is a flat, ordered tuple of :class:`Node`. Each node is one
XML element of the CDC flux, named by its path (``flux/emetteur/idClient``),
with its dictionary id (``#2.1``), its value type and cardinality, and the
French label and help shown to users. Everything else (XSD, writer, rules,
import columns, docs) is derived from these tuples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DATE_PATTERN = r"(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])"


@dataclass(frozen=True)
class Text:
    """A string; either an exact ``length`` or a ``min_length``..``max_length``."""

    max_length: int | None = None
    min_length: int = 1
    length: int | None = None
    pattern: str | None = None
    xsd_base = "string"

    def describe(self):
        if self.length:
            return f"texte de {self.length} caractères"
        return f"texte de {self.min_length} à {self.max_length} caractères"


@dataclass(frozen=True)
class Integer:
    minimum: int
    maximum: int
    xsd_base = "int"

    def describe(self):
        return f"nombre entier de {self.minimum} à {self.maximum}"


@dataclass(frozen=True)
class Date:
    """``xsd:date`` restricted to AAAA-MM-JJ, years 1900-2099, no time zone."""

    pattern: str = DATE_PATTERN
    xsd_base = "date"

    def describe(self):
        return "date au format AAAA-MM-JJ"


@dataclass(frozen=True)
class DateTime:
    """``xsd:dateTime`` restricted by a pattern (two-digit offset, no fraction)."""

    pattern: str
    xsd_base = "dateTime"

    def describe(self):
        return "date et heure au format AAAA-MM-JJTHH:MM:SS+HH:MM"


@dataclass(frozen=True)
class Boolean:
    xsd_base = "boolean"

    def describe(self):
        return "booléen (true ou false)"


@dataclass(frozen=True)
class Enum:
    """A closed list of codes. ``name`` is the XSD simple type name.

    ``choices`` pairs each code with its French label (used by the UI).
    """

    name: str
    choices: tuple[tuple[str, str], ...]
    xsd_base = "string"

    @property
    def values(self):
        return tuple(code for code, _label in self.choices)

    def label(self, code):
        return dict(self.choices).get(code, code)

    def describe(self):
        return "une valeur parmi " + ", ".join(self.values)


ValueType = Text | Integer | Date | DateTime | Boolean | Enum

#: content models of a complex element
ALL, SEQUENCE, CHOICE = "all", "sequence", "choice"


@dataclass(frozen=True)
class Node:
    """One element of the flux.

    ``value`` is set for a leaf (simple content); ``content`` (all, sequence,
    choice) for a complex element. ``key`` names the fact a leaf carries in a
    flat passage record; two leaves may share a key when they sit in exclusive
    branches of a choice (the same birth name in two ways of identifying a
    holder). ``max_occurs`` None means unbounded. ``level`` says where the
    value lives: ``flux`` (generated per file), ``deposit`` (emitter and
    certifier), ``certification`` or ``passage``.
    """

    path: str
    dico_id: str | None
    label: str
    help: str = ""
    value: ValueType | None = None
    content: str | None = None
    key: str | None = None
    min_occurs: int = 1
    max_occurs: int | None = 1
    nillable: bool = False
    #: a shorter limit than the XSD's, from a CDC document (``dico_length_source``):
    #: a warning, never a reason to shorten a civil-status name
    dico_max_length: int | None = None
    dico_length_source: str | None = None
    level: str = "passage"
    source: str = "XSD 1.1.2"
    conditions: tuple[str, ...] = field(default=())
    #: how ``rules.normalize_passage`` cleans the value: ``name`` (trim,
    #: collapse spaces, upper-case keeping accents), ``code`` (no spaces,
    #: upper-case) or ``certification_type`` (RNCP/RS however typed, any
    #: other type trimmed as typed); None: trim only
    normalize: str | None = None
    #: personal data: ``birth`` (never echoed in messages or logs) or ``nir``
    #: (likewise, and never exported to a spreadsheet)
    personal: str | None = None
    #: a code the CDC template stores as a number: restore its leading zeros
    zero_pad: bool = False
    #: the fact this one repeats when it is not given (the dictionary says
    #: "identique au #3.1", or gives it again in another branch): completed
    #: by ``pipeline.prepare_passage``, only where the node's group is filled
    same_as: str | None = None

    @property
    def name(self):
        return self.path.rsplit("/", 1)[-1]

    @property
    def parent(self):
        return self.path.rsplit("/", 1)[0] if "/" in self.path else None

    @property
    def is_leaf(self):
        return self.value is not None

    @property
    def required(self):
        return self.min_occurs > 0

    @property
    def ref(self):
        """How a user finds the field: ``#8.1 nomNaissance``."""
        return f"#{self.dico_id} {self.name}" if self.dico_id else self.name


def leaf(path, dico_id, label, value, help="", **options):
    options.setdefault("key", path.rsplit("/", 1)[-1])
    return Node(path, dico_id, label, help, value=value, **options)


def group(path, dico_id, label, content=ALL, help="", **options):
    return Node(path, dico_id, label, help, content=content, **options)


_ID_SORT = re.compile(r"\d+")


def dico_sort_key(dico_id):
    """Sort ``5.10`` after ``5.9``."""
    return tuple(int(part) for part in _ID_SORT.findall(dico_id or "0"))
