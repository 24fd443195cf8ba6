"""The streaming writer of the CDC flux, and the validator of existing files.

``write_deposit(passages, out_dir)`` turns passages (plain dicts keyed by
the dictionary's fact keys, see :mod:`accrochage.values`) into deposit
files: one file per certificateur (emitter, certificateur and contract),
passages grouped by certification (type, code, nature of the depositor),
split when a file would pass 200 MB or 200,000 passages (S-GUIDE §4.4.2,
SPEC.md §4.2). Every element comes from a walk of the dictionary table; no
field list is written here.

The envelope is opened and closed with ``etree.xmlfile``. Passages are
rendered from a plan compiled once from the table, parsed and validated by
libxml2 against the ``passageCertifications`` fragment of the generated
schema, in batches and in worker threads, and the very bytes validated are
written into the stream. Memory stays flat however many passages there are.
Files are written under temporary names, renamed when complete, and removed
if the deposit fails.

``horodatage`` is the deposit clock in Europe/Paris with a two-digit
offset and no fraction of a second (SPEC.md §2.3); ``idFlux`` is a random
UUID, unique per file (NC5 #1.1), unless the caller fixes a ``flux_seed``:
then the same input, clock and seed give byte-identical files.

>>> import tempfile, datetime
>>> from accrochage.samples import make_passages
>>> with tempfile.TemporaryDirectory() as out:
...     files = write_deposit(make_passages(3), out, now=datetime.datetime(2026, 7, 1, 9, 5))
...     [(f.path.name, f.passage_count, f.horodatage) for f in files]
[('accrochage-12ABC345-20260701-090500-001.xml', 3, '2026-07-01T09:05:00+02:00')]
"""

from __future__ import annotations

import copy
import datetime
import operator
import os
import pickle
import re
import tempfile
import threading
import uuid
from array import array
from collections import deque
from collections.abc import Sequence, Sized
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from . import xmlsafe
from .dictionary import CHOICE, DEFAULT_VERSION, Schema, get_schema
from .exceptions import AccrochageError, DocumentInvalid, FileTooLarge, XmlSyntaxInvalid
from .findings import BLOCKING, Finding
from .identity import nir13
from .values import to_xml_text
from .xsd import build_xsd_tree, load_schema, load_xsd_file

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSI_NIL = f"{{{XSI_NS}}}nil"
DEFAULT_MAX_BYTES = 200_000_000
DEFAULT_MAX_PASSAGES = 200_000
#: how often ``progress(done, total)`` is called
PROGRESS_EVERY = 1000
#: below this many bytes from the limit, sizes are measured exactly
_NEAR_LIMIT = 1_000_000

__all__ = [
    "DepositFile",
    "new_id_flux",
    "paris_time",
    "paris_timestamp",
    "validate_file",
    "write_deposit",
]


@dataclass(frozen=True)
class DepositFile:
    """One written file of a deposit, with what the receipt will echo."""

    path: Path
    id_flux: str
    horodatage: str
    id_client_emetteur: str
    id_client_certificateur: str
    id_contrat: str
    passage_ids: tuple
    passage_count: int
    size: int


# --------------------------------------------------------------------------
# The deposit clock, in Europe/Paris
# --------------------------------------------------------------------------


def _paris_zone():
    """``ZoneInfo("Europe/Paris")``, or None when the tz database is absent."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Paris")
    except Exception:  # ImportError, ZoneInfoNotFoundError (no tzdata)
        return None


def _last_sunday(year, month):
    day = datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


def _eu_summer_time(utc):
    """EU rule (directive 2000/84/EC): summer time from the last Sunday of
    March to the last Sunday of October, switching at 01:00 UTC."""
    start = datetime.datetime.combine(_last_sunday(utc.year, 3), datetime.time(1))
    end = datetime.datetime.combine(_last_sunday(utc.year, 10), datetime.time(1))
    return start <= utc.replace(tzinfo=None) < end


def _paris_offset(utc):
    return datetime.timedelta(hours=2 if _eu_summer_time(utc) else 1)


def _fallback_wall_to_utc(wall):
    """A Paris wall time to UTC, resolving like zoneinfo: in the repeated
    October hour ``fold=0`` is the first (summer) one; in the skipped March
    hour ``fold=0`` uses the winter offset."""
    winter = wall - datetime.timedelta(hours=1)
    summer = wall - datetime.timedelta(hours=2)
    winter_ok = not _eu_summer_time(winter)
    summer_ok = _eu_summer_time(summer)
    if winter_ok and summer_ok:  # repeated hour
        return winter if wall.fold else summer
    if winter_ok or summer_ok:
        return winter if winter_ok else summer
    return summer if wall.fold else winter  # skipped hour


def paris_time(now=None, *, zone=None) -> datetime.datetime:
    """``now`` as an aware Europe/Paris time, to the second.

    A naive ``now`` is a Paris wall time; an aware one may be in any zone.
    Without the tz database, the EU summer-time rule is applied directly.

    >>> paris_time(datetime.datetime(2026, 1, 15, 8, 0, 0, 123456)).isoformat()
    '2026-01-15T08:00:00+01:00'
    >>> utc = datetime.timezone.utc
    >>> paris_time(datetime.datetime(2026, 7, 1, 12, 0, tzinfo=utc)).isoformat()
    '2026-07-01T14:00:00+02:00'
    """
    zone = _paris_zone() if zone is None else zone
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    now = now.replace(microsecond=0)
    if zone:
        if now.tzinfo is None:
            now = now.replace(tzinfo=zone)
        return now.astimezone(datetime.timezone.utc).astimezone(zone)
    if now.tzinfo is None:
        utc = _fallback_wall_to_utc(now)
    else:
        utc = now.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    offset = _paris_offset(utc)
    return (utc + offset).replace(tzinfo=datetime.timezone(offset))


def paris_timestamp(now=None, *, zone=None) -> str:
    """The ``horodatage`` text: ``AAAA-MM-JJTHH:MM:SS+HH:MM`` in Europe/Paris.

    >>> paris_timestamp(datetime.datetime(2026, 3, 29, 3, 30))
    '2026-03-29T03:30:00+02:00'
    >>> paris_timestamp(datetime.datetime(2026, 10, 25, 2, 30, fold=1))
    '2026-10-25T02:30:00+01:00'
    """
    return paris_time(now, zone=zone).isoformat(timespec="seconds")


# --------------------------------------------------------------------------
# The render plan: the dictionary table compiled once per version
# --------------------------------------------------------------------------
#
# Building lxml elements one by one costs about 1.2 µs per element, i.e. more
# than xmllint takes to parse and validate a whole passage. So the table is
# compiled, once per version, into a small Python function that renders a
# passage as XML text (straight-line code, no per-field lookups at run
# time); libxml2 then parses and validates that text in C, and the very
# bytes it validated are written.

_NIL_ATTRIBUTE = ' xsi:nil="true"'


def _escape(text):
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


_SCALARS = (str, int, float, bool, datetime.date)


def _generic(node):
    """``to_xml_text`` for any scalar; a list or a dict is a caller's bug,
    not something to write as its Python repr."""

    def convert(value):
        if not isinstance(value, _SCALARS):
            raise TypeError(f"{node.name}: {type(value).__name__}")
        return to_xml_text(node, value)

    return convert


def _converter(node):
    """A special conversion, or None: ``to_xml_text`` with the fast paths."""
    if node.personal == "nir":
        # only the 13 characters before the key are ever written (SPEC §2.4)
        return nir13
    return None


#: per value type: (condition, expression) giving the same text as
#: ``to_xml_text`` for the usual Python type without a call (tested); the
#: text of a boolean, a number or a date never needs escaping
_FAST_PATHS = {
    "Text": ("v.__class__ is str", "v"),
    "Enum": ("v.__class__ is str", "v"),
    "Boolean": ("v.__class__ is bool", "('true' if v else 'false')"),
    "Integer": ("v.__class__ is int", "str(v)"),
    "Date": ("v.__class__ is _date", "v.isoformat()"),
}
_MARKUP_FREE = frozenset({"Boolean", "Integer", "Date"})
_MARKUP = ("&", "<", ">", "\r")


class _Renderer:
    """Compiles dictionary nodes into a function ``render(data) -> str``."""

    def __init__(self, schema, nodes, prefix):
        self.schema, self.prefix = schema, prefix
        self.constants = {"_escape": _escape, "_date": datetime.date}
        self.lines = ["def render(d):", " o = []", " a = o.append"]
        for node in nodes:
            self._node(node, "d", 1, whole=node.max_occurs is None)
        self.lines.append(" return ''.join(o)")
        code = compile("\n".join(self.lines), f"<accrochage render {schema.version}>", "exec")
        exec(code, self.constants)  # noqa: S102 (source generated from the table above)
        self.render = self.constants["render"]

    def _const(self, value):
        name = f"_c{len(self.constants)}"
        self.constants[name] = value
        return name

    def _emit(self, depth, line):
        self.lines.append(" " * depth + line)

    def _tags(self, node):
        qname = f"{self.prefix}:{node.name}"
        return f"<{qname}>", f"</{qname}>", f"<{qname}{_NIL_ATTRIBUTE}/>", f"<{qname}/>"

    def _node(self, node, data, depth, whole=False):
        """``whole``: render one occurrence of a repeated node from ``data``
        itself (a passage), not from a list under its key."""
        if node.is_leaf:
            return self._leaf(node, data, depth)
        open_, close, _nil, _empty = self._tags(node)
        children = self.schema.children(node.path)
        if node.max_occurs is None and not whole:  # one element per item of the list
            item = f"d{depth}"
            self._emit(depth, f"for {item} in {data}.get({node.key!r}) or ():")
            self._emit(depth + 1, f"a({open_!r})")
            for child in children:
                self._node(child, item, depth + 1)
            self._emit(depth + 1, f"a({close!r})")
            return None
        if not node.required and not whole:
            keys = self.schema.keys_under(node.path)
            self._emit(depth, f"if {self._presence(keys, data)}:")
            depth += 1
        self._emit(depth, f"a({open_!r})")
        if node.content == CHOICE:
            self._choice(node, children, data, depth)
        else:
            for child in children:
                self._node(child, data, depth)
        self._emit(depth, f"a({close!r})")
        return None

    def _presence(self, keys, data):
        """An inline test: does ``data`` hold a value for one of ``keys``?
        Keys in table order, so the usual case stops at the first test."""
        tests = []
        for node in self.schema.nodes:
            if node.key in keys and node is self.schema.by_key[node.key]:
                test = f"{data}.get({node.key!r})"
                tests.append(test if node.max_occurs is None else test + " is not None")
        return " or ".join(tests) or "False"

    def _choice(self, node, children, data, depth):
        """The branch the table's rule picks (``Schema.branches``), as
        inline tests: the first with facts of its own, else a nil-able one."""
        branches = self.schema.branches(node.path)
        fallback = next((b.node for b in branches if b.nil_ok), children[0])
        for index, branch in enumerate(branches):
            test = self._presence(branch.own_keys, data)
            self._emit(depth, f"{'if' if index == 0 else 'elif'} {test}:")
            self._node(branch.node, data, depth + 1)
        self._emit(depth, "else:")
        self._node(fallback, data, depth + 1)

    def _leaf(self, node, data, depth):
        open_, close, nil, empty = self._tags(node)
        self._emit(depth, f"v = {data}.get({node.key!r})")
        if node.nillable or node.required:
            self._emit(depth, "if v is None:")
            # a required value left empty: the validator names it to the user
            self._emit(depth + 1, f"a({(nil if node.nillable else empty)!r})")
            self._emit(depth, "else:")
        else:
            self._emit(depth, "if v is not None:")
        convert = _converter(node)
        generic = self._const(_generic(node))
        fast = _FAST_PATHS.get(type(node.value).__name__) if convert is None else None
        kind = type(node.value).__name__
        if fast is not None and kind in _MARKUP_FREE:
            condition, expression = fast
            self._emit(depth + 1, f"if {condition}: a({open_!r} + {expression} + {close!r})")
            self._emit(depth + 1, "else:")
            self._escaped(f"{generic}(v)", open_, close, depth + 2)
            return
        if fast is not None and kind == "Enum":
            # a code of the table goes as it is (none holds markup)
            codes = frozenset(c for c in node.value.values if not any(m in c for m in _MARKUP))
            self._emit(depth + 1, f"if v.__class__ is str and v in {self._const(codes)}:")
            self._emit(depth + 2, f"a({open_!r} + v + {close!r})")
            self._emit(depth + 1, "else:")
            self._escaped(f"v if v.__class__ is str else {generic}(v)", open_, close, depth + 2)
            return
        if fast is not None:  # the usual Python type, same text as to_xml_text
            condition, expression = fast
            self._emit(depth + 1, f"v = {expression} if {condition} else {generic}(v)")
        elif convert is None:
            self._emit(depth + 1, f"if v.__class__ is not str: v = {generic}(v)")
        else:
            self._emit(depth + 1, f"v = {self._const(convert)}(v)")
        self._escaped("v", open_, close, depth + 1)

    def _escaped(self, text, open_, close, depth):
        """Write ``text`` (an expression) escaped where it holds markup."""
        if text != "v":
            self._emit(depth, f"v = {text}")
        self._emit(depth, "if '&' in v or '<' in v or '>' in v or '\\r' in v:")
        self._emit(depth + 1, "v = _escape(v)")
        self._emit(depth, f"a({open_!r} + v + {close!r})")


class _Plan:
    """Everything the writer needs for one schema version, computed once."""

    prefix = "cpf"

    def __init__(self, schema: Schema):
        self.schema = schema
        self.nsmap = {self.prefix: schema.namespace, "xsi": XSI_NS}
        self.spine = self._spine(schema)
        namespace = f"{{{schema.namespace}}}"
        self.tags = [namespace + node.name for node in self.spine]
        self.passage_tag = self.tags[-1]
        self.container_path = self.spine[-2].path
        self.cert_depth = next(
            i for i, node in enumerate(self.spine) if node.path == schema.certification_path
        )
        self.passage = _Renderer(schema, (self.spine[-1],), self.prefix).render
        # per spine level, the other children: before and after the spine child
        self.before, self.after = [], []
        for depth, node in enumerate(self.spine[:-1]):
            children = schema.children(node.path)
            position = children.index(self.spine[depth + 1])
            if node.content == "sequence":
                before, after = children[:position], children[position + 1 :]
            else:  # xsd:all: the order is free, they go first
                before, after = children[:position] + children[position + 1 :], ()
            self.before.append(_Renderer(schema, before, self.prefix).render)
            self.after.append(_Renderer(schema, after, self.prefix).render)
        self.deposit_keys = tuple(n.key for n in schema.leaves_at("deposit"))
        self.cert_keys = tuple(n.key for n in schema.leaves_at("certification"))
        self.deposit_of = values_at(self.deposit_keys)
        self.certification_of = values_at(self.cert_keys)
        self.id_key = schema.children(self.spine[-1].path)[0].key
        self.id_tag = namespace + self.id_key
        names = [f"{self.prefix}:{node.name}" for node in self.spine]
        self.open_tags = [f"<{name}>" for name in names]
        self.close_tags = [f"</{name}>" for name in names]
        declarations = " ".join(f'xmlns:{p}="{uri}"' for p, uri in self.nsmap.items())
        self.root_open = f"<{names[0]} {declarations}>"
        self.container_open = f"<{names[-2]} {declarations}>".encode()
        self.container_close = self.close_tags[-2].encode()

    @staticmethod
    def _spine(schema):
        nodes, path = [], schema.passage_path
        while path:
            nodes.append(schema.by_path[path])
            path = schema.by_path[path].parent
        return nodes[::-1]

    def document(self, data, passage_text):
        """A whole one-passage flux, to check an envelope against the schema."""
        last = len(self.spine) - 1
        parts = [self.root_open]
        for depth in range(last):
            parts.append(self.before[depth](data))
            parts.append(self.open_tags[depth + 1] if depth + 1 < last else passage_text)
        for depth in range(last - 1, -1, -1):
            parts.append(self.after[depth](data))
            parts.append(self.close_tags[depth])
        return "".join(parts)


@cache
def _plan(version):
    return _Plan(get_schema(version))


# --------------------------------------------------------------------------
# libxml2 errors → French findings
# --------------------------------------------------------------------------

_STEP = re.compile(r"^(?:[^:\[\]]+:)?([^\[\]]+)(?:\[(\d+)\])?$")
_QUOTED_VALUE = re.compile(r"(The value |': )'[^']*'")
_EXPECTED = re.compile(r"Expected is (?:one of )?\( ([^)]*) \)")


def values_at(keys):
    """``pick(passage)``: the tuple of the passage's values at ``keys``, None
    for a missing key, as ``tuple(map(passage.get, keys))`` gives it, by C's
    ``itemgetter`` when every key is there (a passage read from a file has
    them all): about three times faster, and it runs several times a row.

    >>> pick = values_at(("code", "type"))
    >>> pick({"type": "RS", "code": "RS5875", "x": 1}), pick({"code": "RS5875"})
    (('RS5875', 'RS'), ('RS5875', None))
    >>> values_at(["code"])({"code": "RS5875"}), values_at([])({})
    (('RS5875',), ())
    """
    keys = tuple(keys)
    if len(keys) < 2:
        return lambda passage: tuple(map(passage.get, keys))
    pick = operator.itemgetter(*keys)

    def values(passage):
        try:
            return pick(passage)
        except KeyError:
            return tuple(map(passage.get, keys))

    return values


def _scrub(text):
    """libxml2's text without the values (a NIR or a birth date may be one)."""
    return _QUOTED_VALUE.sub(r"\1'…'", text or "").strip()


def _resolve(root, path):
    """The element an error ``path`` (xmlGetNodePath) designates, or None."""
    steps = [s for s in (path or "").split("/") if s]
    if not steps or root is None:
        return None
    element = root
    for depth, step in enumerate(steps):
        match = _STEP.match(step)
        if not match:
            return None
        name, index = match.group(1), int(match.group(2) or 1)
        if depth == 0:
            if name not in ("*", etree.QName(root).localname):
                return None
            continue
        same = [
            child
            for child in element
            if isinstance(child.tag, str) and name in ("*", etree.QName(child).localname)
        ]
        if len(same) < index:
            return None
        element = same[index - 1]
    return element


def _table_path(schema, element):
    """The dictionary path of an element of a whole flux or of a fragment."""
    names = []
    while element is not None:
        names.append(etree.QName(element).localname)
        element = element.getparent()
    joined = "/".join(reversed(names))
    if joined in schema.by_path:
        return joined
    tail = "/" + joined
    return next((node.path for node in schema.nodes if node.path.endswith(tail)), None)


def _node_of(schema, element):
    path = _table_path(schema, element) if element is not None else None
    return schema.by_path.get(path) if path else None


def _explain(schema, entry, element):
    """(node, code, French message) for one libxml2 validation error."""
    node = _node_of(schema, element)
    raw = entry.message or ""
    kind = entry.type_name or ""
    if kind == "SCHEMAV_CVC_ELT_1":
        return (
            None,
            "xsd_root",
            (
                f"L'élément racine n'est pas reconnu : le fichier doit commencer par <cpf:flux> "
                f"dans l'espace de noms {schema.namespace}."
            ),
        )
    if "Missing child element" in raw and node is not None:
        expected = _expected_nodes(schema, node, raw)
        if expected:
            child = expected[0]
            hint = ' ; s\'il est inconnu, envoyez-le avec xsi:nil="true"' if child.nillable else ""
            names = " ou ".join(f"{n.label} ({n.ref})" for n in expected)
            return (
                child,
                "xsd_missing",
                f"{names} manque dans {_label(node)} : renseignez-le{hint}.",
            )
    if "not expected" in raw:
        return _unexpected(schema, node, element)
    if node is not None and node.is_leaf:
        return node, "xsd_value", _bad_value(node, element, kind)
    if node is not None:
        return node, "xsd", f"{_label(node)} ne respecte pas le schéma de la Caisse des Dépôts."
    return None, "xsd", "Le fichier ne respecte pas le schéma de la Caisse des Dépôts."


def _label(node):
    return f"{node.label} ({node.ref})"


def _expected_nodes(schema, parent, raw):
    match = _EXPECTED.search(raw)
    if not match:
        return []
    names = [part.strip().rsplit("}", 1)[-1] for part in match.group(1).split(",")]
    by_name = {child.name: child for child in schema.children(parent.path)}
    found = [by_name[name] for name in names if name in by_name]
    if parent.content == CHOICE or not found:
        return found
    return found[:1]


def _unexpected(schema, node, element):
    name = etree.QName(element).localname if element is not None else "?"
    if node is None:
        return (
            None,
            "xsd_unknown",
            (
                f"L'élément « {name} » n'est pas prévu à cet endroit par le schéma : "
                "retirez-le ou corrigez son nom (et son espace de noms)."
            ),
        )
    parent = schema.by_path.get(node.parent)
    if parent is not None and parent.content == CHOICE:
        options = " ou ".join(_label(c) for c in schema.children(parent.path))
        return (
            node,
            "xsd_choice",
            (
                f"{_label(node)} ne peut pas accompagner un autre choix : {_label(parent)} "
                f"accepte un seul élément parmi {options}."
            ),
        )
    if element is not None and any(
        sibling.tag == element.tag for sibling in element.itersiblings(preceding=True)
    ):
        return node, "xsd_duplicate", f"{_label(node)} apparaît deux fois : gardez-en un seul."
    return node, "xsd_unexpected", f"{_label(node)} n'est pas attendu à cet endroit."


def _bad_value(node, element, kind):
    nil = element is not None and element.get(XSI_NIL) in ("true", "1")
    empty = element is not None and not (element.text or "").strip() and not nil
    if kind.startswith("SCHEMAV_CVC_ELT_3_1") or (nil and not node.nillable):
        return f"{_label(node)} ne peut pas être laissé vide (nil) : renseignez une valeur."
    if nil:
        return f'{_label(node)} porte xsi:nil="true" et une valeur : retirez l\'un des deux.'
    if empty and node.nillable:
        return (
            f'{_label(node)} est vide : s\'il est inconnu, envoyez xsi:nil="true" '
            "plutôt qu'un élément vide."
        )
    if empty:
        return f"{_label(node)} est vide : renseignez-le ({node.value.describe()})."
    return f"{_label(node)} n'a pas une valeur valide : attendu {node.value.describe()}."


def _findings(schema, error_log, root, *, passage=None, keep=None, plan=None):
    """French findings for the errors of ``root``'s validation; ``keep``
    filters them by the element they designate; with ``plan``, each names
    the passage it falls in."""
    findings = []
    for entry in error_log:
        element = _resolve(root, entry.path)
        if keep is not None and not keep(element):
            continue
        if plan is not None:
            passage = _passage_id(element, plan)
        node, code, message = _explain(schema, entry, element)
        findings.append(
            Finding(
                BLOCKING,
                code,
                message,
                field=node.key if node is not None else None,
                dico_id=node.dico_id if node is not None else None,
                passage=passage,
                row=entry.line or None,
                detail=_scrub(entry.message),
            )
        )
    return findings


def _inside(element, ancestor):
    while element is not None:
        if element is ancestor:
            return True
        element = element.getparent()
    return False


def _passage_id(element, plan):
    while element is not None and element.tag != plan.passage_tag:
        element = element.getparent()
    return None if element is None else element.findtext(plan.id_tag) or None


def _raise_invalid(findings):
    """Raise for the first finding; all of them are in ``.findings``."""
    first = findings[0]
    where = f"Passage {first.passage} : " if first.passage else "Enveloppe du fichier : "
    error = DocumentInvalid(
        where + first.message,
        field=first.field,
        dico_id=first.dico_id,
        detail="\n".join(f.detail for f in findings if f.detail),
    )
    error.findings = findings
    raise error


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

#: passages parsed and validated together (one libxml2 call per batch)
BATCH = 512
#: worker threads validating batches, and batches in flight per file
WORKERS = max(1, min(2, os.cpu_count() or 1))
IN_FLIGHT = 2 * WORKERS


class _CountingFile:
    """A binary file that counts what is written to it."""

    def __init__(self, path):
        self.file = open(path, "xb")  # noqa: SIM115 (closed by _Part)
        self.size = 0

    def write(self, data):
        self.size += len(data)
        return self.file.write(data)


def _utf8_size(text):
    return len(text) if text.isascii() else len(text.encode("utf-8"))


_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def new_id_flux(seed=None, *facts) -> str:
    """The ``idFlux`` of a new file (NC5 #1.1: "UUID unique pour chaque fichier").

    Without ``seed``: a random UUID (version 4), so two files never share an
    idFlux, even when built in the same second from the same passages.
    With a ``seed`` (tests, reproducible builds), a UUID 5 of the seed and
    ``facts`` (certificateur, clock, file number, first passage): the caller
    who fixes the seed also owns its uniqueness.

    >>> import uuid
    >>> uuid.UUID(new_id_flux()).version, new_id_flux() != new_id_flux()
    (4, True)
    >>> new_id_flux("golden", "12ABC345", 1) == new_id_flux("golden", "12ABC345", 1)
    True
    >>> new_id_flux("golden", "12ABC345", 1) != new_id_flux("golden", "12ABC345", 2)
    True
    """
    if seed is None:
        return str(uuid.uuid4())
    text = "|".join(map(str, (seed, *facts)))
    return str(uuid.uuid5(uuid.NAMESPACE_URL, text))


class _Part:
    """One output file: the envelope is opened and closed with
    ``etree.xmlfile``; checked passages are written between, batch by batch.

    At most one batch is pending (being validated by the worker); it is
    written before anything else touches the file, so the order holds.
    """

    def __init__(self, run, deposit, seq, first):
        plan = run.plan
        self.run, self.deposit = run, deposit
        self.path = run.out_dir / deposit.file_name(seq)
        self.tmp = self.path.with_name("." + self.path.name + ".tmp")
        seed = None if run.flux_seed is None else run.flux_seed + plan.schema.namespace
        self.id_flux = new_id_flux(seed, *deposit.key, run.horodatage, seq, first.get(plan.id_key))
        self.flux_facts = {**run.flux_facts, "idFlux": self.id_flux}
        self.ids, self.cert_key, self.opened, self.count = [], None, [], 0
        self.batch, self.batch_ids, self.batch_bytes = [], [], 0
        self.pending, self.pending_bytes = deque(), 0
        self.out = _CountingFile(self.tmp)
        run.temporaries.append(self.tmp)
        self.xf_context = etree.xmlfile(self.out, encoding="UTF-8")
        self.xf = self.xf_context.__enter__()
        self.xf.write_declaration()

    # the envelope -----------------------------------------------------------

    def _raw(self, text):
        """Text rendered from the table, written after what xmlfile holds."""
        if text:
            self.xf.flush()
            self.out.write(text.encode("utf-8"))

    def _open(self, level, data):
        plan = self.run.plan
        for depth in range(level, len(plan.spine) - 1):
            root = depth == 0
            context = self.xf.element(plan.tags[depth], nsmap=plan.nsmap if root else None)
            context.__enter__()
            self.opened.append((context, data))
            self._raw("\n" + plan.before[depth](data))

    def _close_to(self, level):
        plan = self.run.plan
        while len(self.opened) > level:
            context, data = self.opened.pop()
            self._raw(plan.after[len(self.opened)](data))
            context.__exit__(None, None, None)
            if self.opened:
                self._raw("\n")

    def _transition_bytes(self, data):
        """Bytes that close the current certification and open the next."""
        plan = self.run.plan
        size = 0
        for depth in range(plan.cert_depth, len(plan.spine) - 1):
            size += len(plan.open_tags[depth]) + len(plan.close_tags[depth]) + 2
            size += _utf8_size(plan.before[depth](data) + plan.after[depth](data))
        return size

    # passages ---------------------------------------------------------------

    def fits(self, passage, size, cert_key):
        """Whether one more passage keeps the file within both limits."""
        run = self.run
        if self.count >= run.max_passages:
            return False
        planned = self.out.size + self.pending_bytes + self.batch_bytes + size
        if planned + _NEAR_LIMIT < run.max_bytes:
            return True
        self.xf.flush()  # exact from here on
        planned = self.out.size + self.pending_bytes + self.batch_bytes + size
        if cert_key != self.cert_key:
            planned += self._transition_bytes({**passage, **self.flux_facts})
        plan = run.plan
        planned += sum(len(tag) + 1 for tag in plan.close_tags[:-1])
        return planned <= run.max_bytes

    def add(self, passage, text, cert_key):
        run = self.run
        if cert_key != self.cert_key:
            data = {**passage, **self.flux_facts}
            if run.validate:
                run.check_envelope(data, text)
            self._submit()
            self._settle()
            level = run.plan.cert_depth if self.opened else 0
            self._close_to(level)
            self._open(level, data)
            self.cert_key = cert_key
        self.batch.append(text)
        self.batch_ids.append(passage.get(run.plan.id_key))
        self.batch_bytes += len(text)
        self.count += 1
        if len(self.batch) >= BATCH:
            self._submit()

    def _submit(self):
        """Hand the current batch to a validator; it is written later, in
        order. Past ``IN_FLIGHT`` batches, the oldest is waited for."""
        if not self.batch:
            return
        body = b"".join(self.batch)
        future = self.run.check_batch(body) if self.run.validate else None
        self.pending.append((future, body, self.batch, self.batch_ids))
        self.pending_bytes += len(body)
        self.batch, self.batch_ids, self.batch_bytes = [], [], 0
        while len(self.pending) > IN_FLIGHT:
            self._write_oldest()

    def _write_oldest(self):
        future, body, texts, ids = self.pending.popleft()
        if future is not None:
            self.run.raise_problem(future.result(), texts, ids)
        self.xf.flush()
        self.out.write(body)
        self.ids.extend(ids)
        self.pending_bytes -= len(body)

    def _settle(self):
        """Wait for every pending batch's check, then write them."""
        while self.pending:
            self._write_oldest()

    def close(self):
        self._submit()
        self._settle()
        self._close_to(0)
        self.xf_context.__exit__(None, None, None)
        self.out.file.close()
        os.replace(self.tmp, self.path)
        facts = self.deposit.facts
        return DepositFile(
            path=self.path,
            id_flux=self.id_flux,
            horodatage=self.run.horodatage,
            id_client_emetteur=facts[0],
            id_client_certificateur=facts[1],
            id_contrat=facts[2],
            passage_ids=tuple(map(str, self.ids)),
            passage_count=len(self.ids),
            size=self.out.size,
        )

    def abort(self):
        self.out.file.close()


class _Deposit:
    """The files of one certificateur (emitter, certificateur, contract)."""

    def __init__(self, run, facts):
        self.run, self.key, self.facts = run, facts, facts
        self.part = None
        self.seq = 0

    def file_name(self, seq):
        certificateur = _SAFE_NAME.sub("_", self.facts[1]) or "certificateur"
        return f"accrochage-{certificateur}-{self.run.stamp}-{seq:03d}.xml"

    def add(self, passage, text, cert_key):
        part = self.part
        if part is not None and not part.fits(passage, len(text), cert_key):
            self.run.done.append(part.close())
            part = self.part = None
        if part is None:
            self.seq = self.run.next_seq(self)
            part = self.part = _Part(self.run, self, self.seq, passage)
        part.add(passage, text, cert_key)


class _Regroup:
    """Keeps the passages of a certification together when the input mixes
    certifications, without holding them in memory.

    A file opens a new ``certification`` element each time the
    certification changes (with an envelope check and a flush each time): a
    stream sorted by name would give one element per passage, at 7 times the
    cost. So, per certificateur, a certification met again after another
    one is spooled to a temporary file and written after the others: each
    certification gets at most two elements per file, and a sorted input is
    written as it comes.
    """

    def __init__(self):
        self.current, self.seen = {}, set()
        self.spool, self.offsets = None, {}

    def now(self, deposit, cert, passage):
        """True when ``passage`` can be written now; else it is kept for later."""
        if self.current.get(deposit) == cert:
            return True
        key = (deposit, cert)
        if key not in self.seen:
            self.seen.add(key)
            self.current[deposit] = cert
            return True
        if self.spool is None:
            self.spool = tempfile.TemporaryFile(prefix="accrochage-")
        offsets = self.offsets.get(key)
        if offsets is None:
            offsets = self.offsets[key] = array("q")
        offsets.append(self.spool.tell())
        pickle.dump(passage, self.spool, pickle.HIGHEST_PROTOCOL)
        return False

    def rest(self):
        """The kept passages, certification by certification."""
        if self.spool is None:
            return
        for offsets in self.offsets.values():
            for offset in offsets:
                self.spool.seek(offset)
                yield pickle.load(self.spool)  # our own temporary file: trusted

    def close(self):
        if self.spool is not None:
            self.spool.close()
            self.spool = None


class _Run:
    """One call of ``write_deposit``."""

    def __init__(self, plan, out_dir, now, max_bytes, max_passages, validate, action, flux_seed):
        self.plan, self.out_dir, self.flux_seed = plan, out_dir, flux_seed
        moment = paris_time(now)
        self.horodatage = moment.isoformat(timespec="seconds")
        self.stamp = moment.strftime("%Y%m%d-%H%M%S")
        self.flux_facts = {"horodatage": self.horodatage, "action": action}
        self.max_bytes, self.max_passages, self.validate = max_bytes, max_passages, validate
        self.deposits, self.done, self.temporaries, self.used = {}, [], [], set()
        self.full = load_schema(plan.schema.version)
        self.pool = None
        self.local = threading.local()
        self.regroup = _Regroup()

    def next_seq(self, deposit):
        """The next file number free in ``out_dir`` (earlier deposits stay)."""
        seq = deposit.seq
        while True:
            seq += 1
            name = deposit.file_name(seq)
            if name not in self.used and not (self.out_dir / name).exists():
                self.used.add(name)
                return seq

    def add(self, passage):
        plan = self.plan
        key, cert_key = plan.deposit_of(passage), plan.certification_of(passage)
        if self.regroup.now(key, cert_key, passage):
            self._write(passage, key, cert_key)

    def _write(self, passage, key, cert_key):
        plan = self.plan
        try:
            text = (plan.passage(passage) + "\n").encode("utf-8")  # one line per passage
        except (TypeError, ValueError, AttributeError) as error:
            raise DocumentInvalid(
                f"Passage {passage.get(plan.id_key)} : une valeur n'a pas le type attendu "
                "(texte, nombre, booléen ou date) : corrigez-la.",
                detail=_scrub(str(error)),
            ) from None
        deposit = self.deposits.get(key)
        if deposit is None:
            deposit = self.deposits[key] = _Deposit(self, tuple(map(str, key)))
        deposit.add(passage, text, cert_key)

    # validation -------------------------------------------------------------

    def _parser(self):
        """One parser per thread (lxml parsers are not shared across threads)."""
        parser = getattr(self.local, "parser", None)
        if parser is None:
            parser = self.local.parser = xmlsafe.parser(huge_tree=True)
        return parser

    def _batch_schema(self):
        """One compiled schema per thread: its ``error_log`` is not shared."""
        schema = getattr(self.local, "schema", None)
        if schema is None:
            tree = build_xsd_tree(self.plan.schema, self.plan.container_path)
            schema = self.local.schema = etree.XMLSchema(tree)
        return schema

    def check_batch(self, body):
        """Start checking a batch in a worker thread, while rendering goes on."""
        if self.pool is None:
            self.pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="accrochage")
        return self.pool.submit(self._check, body)

    def _check(self, body):
        """None when the batch is valid, else what went wrong. lxml releases
        the GIL while libxml2 parses (not while it validates), so parsing
        overlaps the rendering of the next batches."""
        plan = self.plan
        try:
            root = etree.fromstring(
                plan.container_open + body + plan.container_close, self._parser()
            )
        except etree.XMLSyntaxError as error:
            return ("syntax", str(error))
        schema = self._batch_schema()
        if schema(root):
            return None
        return ("schema", root, list(schema.error_log))

    def raise_problem(self, problem, texts, ids):
        """Raise :class:`DocumentInvalid` for the first bad passage of a batch."""
        if problem is None:
            return
        plan = self.plan
        if problem[0] == "syntax":
            for text, passage_id in zip(texts, ids, strict=True):
                try:
                    etree.fromstring(
                        plan.container_open + text + plan.container_close,
                        self._parser(),
                    )
                except etree.XMLSyntaxError as error:
                    raise DocumentInvalid(
                        f"Passage {passage_id} : une valeur contient un caractère interdit en "
                        "XML (caractère de contrôle) : retirez-le.",
                        detail=_scrub(str(error)),
                    ) from None
            raise DocumentInvalid(detail=_scrub(problem[1]))  # pragma: no cover
        _kind, root, log = problem
        _raise_invalid(_findings(plan.schema, log, root, plan=plan))

    def check_envelope(self, data, passage_text):
        """Check the envelope with one passage in it, before writing it."""
        text = self.plan.document(data, passage_text.decode("utf-8"))
        try:
            document = etree.fromstring(text.encode("utf-8"), self._parser())
        except etree.XMLSyntaxError as error:
            raise DocumentInvalid(
                "Enveloppe du fichier : une valeur contient un caractère interdit en XML "
                "(caractère de contrôle) : retirez-le.",
                detail=_scrub(str(error)),
            ) from None
        if not self.full(document):
            _raise_invalid(
                _findings(self.plan.schema, self.full.error_log, document, plan=self.plan)
            )

    # end --------------------------------------------------------------------

    def finish(self):
        plan = self.plan
        for passage in self.regroup.rest():
            self._write(passage, plan.deposit_of(passage), plan.certification_of(passage))
        for deposit in self.deposits.values():
            if deposit.part is not None:
                self.done.append(deposit.part.close())
                deposit.part = None
        return sorted(self.done, key=lambda f: f.path.name)

    def shutdown(self):
        self.regroup.close()
        if self.pool is not None:
            self.pool.shutdown(wait=True)

    def abort(self):
        """Leave nothing behind: neither temporaries nor finished files."""
        for deposit in self.deposits.values():
            if deposit.part is not None:
                deposit.part.abort()
        for tmp in self.temporaries:
            tmp.unlink(missing_ok=True)
        for result in self.done:
            result.path.unlink(missing_ok=True)


def _in_group_order(passages, plan):
    """A list is walked grouped by certificateur then certification, in the
    order groups first appear; any other iterable is walked as it comes."""
    if not isinstance(passages, Sequence):
        return passages
    ranks = {}
    keys = plan.deposit_keys + plan.cert_keys
    depth = len(plan.deposit_keys)

    def rank(index):
        passage = passages[index]
        values = tuple(str(passage.get(k)) for k in keys)
        first = ranks.setdefault(values[:depth], len(ranks))
        second = ranks.setdefault(values, len(ranks))
        return first, second, index

    order = sorted(range(len(passages)), key=rank)
    return (passages[i] for i in order)


def write_deposit(
    passages,
    out_dir,
    *,
    version=DEFAULT_VERSION,
    now=None,
    max_bytes=DEFAULT_MAX_BYTES,
    max_passages=DEFAULT_MAX_PASSAGES,
    validate=True,
    progress=None,
    action="CREATION",
    flux_seed=None,
) -> list[DepositFile]:
    """Write ``passages`` as deposit files in ``out_dir``; return them.

    One file per (emitter, certificateur, contract), more when a file would
    pass ``max_bytes`` or ``max_passages``. A list is sorted by certificateur
    and certification; an iterator (for very large deposits) is written as it
    comes, but a certification met again after another is kept in a temporary
    file and written after the others (:class:`_Regroup`), so each gets at
    most two ``certification`` elements per file. ``now`` is the deposit clock
    (naive = Paris wall time). With ``validate``, each passage and each
    envelope is checked against the schema before it is written, and
    :class:`DocumentInvalid` names the passage and the field; no file is left
    behind on error. ``progress`` is called as ``progress(done, total)``
    (``total`` None for an iterator). ``action`` is written only by schemas
    that have ``flux/action`` (1.1.5). Each file gets a random ``idFlux`` (NC5
    #1.1: unique per file); give a ``flux_seed`` (any text, ``""`` included)
    for reproducible files, as the golden test does: the idFlux is then a UUID
    5 of the seed, the schema namespace, the certificateur, the clock, the
    file number and the first passage (:func:`new_id_flux`).
    """
    if max_passages < 1 or max_bytes < 1:
        raise AccrochageError("Les limites de taille d'un fichier doivent être positives.")
    plan = _plan(version)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    total = len(passages) if isinstance(passages, Sized) else None
    run = _Run(plan, out_dir, now, max_bytes, max_passages, validate, action, flux_seed)
    done = 0
    try:
        for passage in _in_group_order(passages, plan):
            run.add(passage)
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total)
        files = run.finish()
    except BaseException:
        run.abort()
        raise
    finally:
        run.shutdown()
    if progress is not None and done % PROGRESS_EVERY:
        progress(done, total)
    return files


# --------------------------------------------------------------------------
# Validating an existing file
# --------------------------------------------------------------------------

#: findings reported per file; the CDC itself reports about the first 100
#: errors (error guide V4, introduction p.3)
MAX_FINDINGS = 1000
#: codes after which the passages of the file cannot be read (the reader
#: would raise): callers skip the per-passage rules
UNREADABLE = frozenset({"xml_syntax", "xml_refused", "xml_limits", "xml_version", "file_too_large"})


def validate_file(path, *, version=DEFAULT_VERSION, xsd=None, max_bytes=DEFAULT_MAX_BYTES):
    """Validate a flux file while streaming it; return French findings.

    Returns a list of :class:`~accrochage.findings.Finding` (empty: the file
    is valid), never raises for what the file contains. File-level findings
    have stable codes, all blocking, and :data:`UNREADABLE` lists those after
    which nothing more is read:

    - ``file_too_large``: over ``max_bytes`` (200 Mo, general guide V5
      §4.4.2, p.26): the CDC would not take it; not read further;
    - ``xml_version``: an XML declaration without version or other than
      1.0 (error guide V4 §3.2, p.7); XML 1.1 is still read and checked;
    - ``xml_refused``: a DOCTYPE, an ENTITY or an entity reference
      ("DOCTYPE ou entité refusés"), or UTF-16/32 text;
    - ``xml_limits``: beyond what a flux needs (libxml2's limits, kept on;
      attribute runs; elements in place of passages), in bounded time and
      memory;
    - ``xml_syntax``: not well-formed, with the line and what to fix;
    - ``xsd_*``: schema errors, one per fault, naming passage and field;
    - ``too_many_findings``: past :data:`MAX_FINDINGS`, the count of the rest.

    Each passage is checked in a copy of its envelope, so every invalid
    passage is reported (with its ``idTechnique`` and line), then each
    certification, then the envelope. ``xsd`` is the path of another schema
    of the whole flux, e.g. the official XSD of the CDC kit. Memory stays
    flat. Raises :class:`~accrochage.exceptions.AccrochageError` only when
    the file cannot be opened.

    >>> import tempfile, datetime
    >>> from accrochage.samples import make_passage
    >>> with tempfile.TemporaryDirectory() as out:
    ...     [written] = write_deposit([make_passage()], out)
    ...     validate_file(written.path)
    []
    """
    plan = _plan(version)
    validator = load_xsd_file(xsd) if xsd else load_schema(version)
    checker = _FileChecker(plan, validator)
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            head = handle.read(1024)
    except OSError as error:
        raise AccrochageError(
            f"Le fichier « {path} » est illisible : vérifiez son chemin et ses droits.",
            detail=str(error),
        ) from None
    if size > max_bytes:
        checker.refuse(
            FileTooLarge(
                f"Le fichier pèse {size / 1_000_000:.1f} Mo : la Caisse des Dépôts n'accepte "
                f"pas de fichier de plus de {max_bytes / 1_000_000:g} Mo (guide général V5 "
                "§4.4.2). Découpez le dépôt en plusieurs fichiers (accrochage build le fait "
                "seul), puis validez chacun."
            )
        )
        return checker.findings
    problem = xmlsafe.declaration_problem(head)
    if problem is not None:
        checker.refuse(problem)
        if b"1.1" not in head[:100]:
            return checker.findings  # libxml2 cannot read it either
    try:
        checker.read(xmlsafe.stream(path))
    except XmlSyntaxInvalid as error:
        checker.refuse(error)
    except OSError as error:  # pragma: no cover - the file vanished while being read
        raise AccrochageError(
            f"Le fichier « {path} » est illisible : vérifiez son chemin et ses droits.",
            detail=str(error),
        ) from None
    return checker.result()


class _FileChecker:
    """Checks a file's passages one by one, each in a copy of its envelope,
    then each certification with its first passage, then the envelope.

    What has been checked is removed from the tree as the file is read: the
    tree holds the envelope, the current certification, and one
    certification with one passage per certification list.
    """

    def __init__(self, plan, validator):
        self.schema, self.plan, self.validator = plan.schema, plan, validator
        self.findings, self.dropped = [], 0
        self.template = self.slot = self.container = None
        self.id_tag = plan.passage_tag.rsplit("}", 1)[0] + "}" + plan.id_key
        self.group_tag = plan.tags[plan.cert_depth]
        self.base = self.twin = None

    def refuse(self, error):
        self._add(
            [
                Finding(
                    BLOCKING,
                    error.code,
                    str(error),
                    row=getattr(error, "line", None),
                    detail=_scrub(error.detail) if error.detail else None,
                )
            ]
        )

    def _add(self, findings):
        room = MAX_FINDINGS - len(self.findings)
        self.findings += findings[: max(room, 0)]
        self.dropped += max(len(findings) - max(room, 0), 0)

    def result(self):
        if self.dropped:
            self.findings.append(
                Finding(
                    BLOCKING,
                    "too_many_findings",
                    f"… et {self.dropped} autre(s) erreur(s) non détaillée(s) : corrigez les "
                    "premières (souvent la même cause), puis validez à nouveau.",
                )
            )
        return self.findings

    def read(self, events):
        root = None
        for _event, element in events:
            if element.tag == self.plan.passage_tag:
                self.passage(element)
            elif element.tag == self.group_tag:
                self.group(element)
            if root is None:
                root = element
                while root.getparent() is not None:
                    root = root.getparent()
        if root is not None:
            self.envelope(root)

    def _validate(self, document, keep, passage=None):
        if not self.validator(document):
            self._add(
                _findings(
                    self.schema, self.validator.error_log, document, passage=passage, keep=keep
                )
            )

    def _base(self, parent):
        """The envelope copy down to ``parent`` (a certification list),
        built once per list: ``(root, slot)``."""
        if self.base is None or self.base[0] is not parent:
            self._detach()
            self.base = (parent, *_envelope_copy(parent))
        return self.base[1], self.base[2]

    def _detach(self):
        if self.twin is not None:
            self.twin.getparent().remove(self.twin)
            self.twin = None

    def _template_for(self, container):
        """``(root, slot)``: a copy of the envelope around an empty ``container``.
        Under a certification, only the certification's own elements are
        copied each time; the rest of the envelope is copied once."""
        group = container.getparent()
        if group is None or group.tag != self.group_tag or group.getparent() is None:
            return _envelope_copy(container)
        root, slot = self._base(group.getparent())
        self._detach()
        twin = etree.SubElement(slot, group.tag, group.attrib)
        for child in group:
            if child is not container and child.tag != container.tag:
                twin.append(copy.deepcopy(child))
        self.twin = twin
        return root, etree.SubElement(twin, container.tag, container.attrib)

    def passage(self, element):
        container = element.getparent()
        if container is None:
            return  # a lone passage as root: the envelope check reports it
        if container is not self.container:
            self.template, self.slot = self._template_for(container)
            self.container = container
        else:
            # keep the container's first passage (the envelope needs one), drop the others
            previous = element.getprevious()
            if previous is not None and previous.getprevious() is not None:
                container.remove(previous)
        candidate = copy.deepcopy(element)
        self.slot.append(candidate)
        self._validate(
            self.template,
            keep=lambda found: _inside(found, candidate),
            passage=element.findtext(self.id_tag) or None,
        )
        self.slot.remove(candidate)
        if element.getprevious() is not None:
            element.clear(keep_tail=True)

    def _thin(self, parent):
        """Remove the checked passages under ``parent``, but the first of each list."""
        for element in list(parent.iter(self.plan.passage_tag)):
            holder = element.getparent()
            if holder is not None and element is not holder[0]:
                holder.remove(element)

    def group(self, element):
        """A certification has ended: check its own elements, with its first
        passage (already checked), then free it unless it is the first."""
        parent = element.getparent()
        self._thin(element)
        self.container = None
        if parent is None:
            return
        root, slot = self._base(parent)
        self._detach()
        twin = copy.deepcopy(element)
        slot.append(twin)
        passages = list(twin.iter(self.plan.passage_tag))
        self._validate(
            root,
            keep=lambda found: (
                _inside(found, twin) and not any(_inside(found, p) for p in passages)
            ),
        )
        slot.remove(twin)
        previous = element.getprevious()
        if previous is not None and previous.tag == element.tag:
            parent.remove(element)

    def envelope(self, root):
        """Check what no passage or certification check has covered."""
        self._thin(root)
        covered = list(root.iterdescendants(self.plan.passage_tag, self.group_tag))
        self._validate(root, keep=lambda found: not any(_inside(found, c) for c in covered))


def _envelope_copy(parent):
    """A copy of the envelope read so far, down to an empty ``parent``:
    ``(root, slot)``. Siblings of the same tag on the way are left out."""
    chain = []
    while parent is not None:
        chain.append(parent)
        parent = parent.getparent()
    chain.reverse()
    root = twin = None
    for depth, original in enumerate(chain):
        twin_child = etree.Element(original.tag, original.attrib, nsmap=original.nsmap)
        if root is None:
            root = twin_child
        else:
            twin.append(twin_child)
        twin = twin_child
        if depth + 1 < len(chain):
            for child in original:
                if child.tag != chain[depth + 1].tag:
                    twin.append(copy.deepcopy(child))
    return root, twin
