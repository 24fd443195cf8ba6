"""The deposit pipeline: the one place where the stages of a deposit meet.

Every door (``accrochage build``, ``accrochage validate``, ``demo``, the Odoo
addon and its cron) hands :func:`run` an iterable of rows and gets back the
written files, the findings of every row (streamed to the sinks it gives) and
the counts. One row at a time, and in this order, each row is:

1. read (by the caller: the CSV/XLSX importer, Odoo records, a flux read back);
2. prepared once, by :func:`prepare_passage`: normalised
   (:func:`accrochage.rules.normalize_passage`) and completed with the facts
   the dictionary derives from others (presence flags, a fact "identique au
   #3.1"), so what reaches the XML is the same whichever door it came through;
3. checked on its own (:func:`accrochage.rules.check_passage`), then across
   rows: an ``idTechnique`` carried by two rows blocks every one of them (the
   CDC records the first and answers "existe déjà en base" for the others,
   without recording those holders: SPEC.md §4.4, receipt guide V3 p.3);
   an ``idTechnique`` the CDC already accepted blocks the row for the same
   reason; the same holder twice for one certification and exam date under
   two ids gives a warning;
4. written (:func:`accrochage.writer.write_deposit` pulls the passages that
   no blocking finding keeps out, one open file per certificateur);
5. reported: its :class:`RowOutcome` goes to every sink at once (the findings
   report CSV, the ``--json`` stream, the addon's callback).

Memory does not grow with the passages: a row is dropped once written and
reported. The cross-row checks keep 64-bit hashes in arrays, 8 to 16 bytes a
row. A repeated id must block its first row too, before that row is written:

- the caller may give the repeated ids (``duplicates=``, e.g. from one SQL
  ``GROUP BY`` in Odoo): one pass;
- else, when every sink can start over (the report CSV, ``--json``), the job
  is optimistic: most inputs repeat no id, so one pass does it all while the
  ids are noted; at the first repeat, what was written is dropped, the ids
  are read in a pass of their own, and the job runs again knowing them;
- else the ids are read in a first pass (:meth:`FileSource.iter_ids`, or
  the source read twice).

>>> from accrochage.samples import make_passage
>>> found = []
>>> result = run([make_passage(1), make_passage(2), make_passage(1)],
...              options=Options(today=datetime.date(2026, 11, 2)), on_row=found.append)
>>> print(result.counts.line())
3 lignes lues = 1 prête + 2 écartées (contrôle seul, rien n'est écrit).
>>> [(o.row, [f.code for f in o.findings]) for o in found]
[(1, ['duplicate_id']), (2, []), (3, ['duplicate_id'])]
>>> print(found[0].findings[0].message)  # doctest: +ELLIPSIS
Identifiant technique du passage (#5.1 idTechnique) « P-000001 » figure aussi ligne 3 ...
"""

from __future__ import annotations

import datetime
import inspect
import os
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import compress
from pathlib import Path
from typing import NamedTuple

from . import importer, rules
from .dictionary import DEFAULT_VERSION, Boolean, get_schema
from .exceptions import AccrochageError
from .findings import BLOCKING, WARNING, Finding, for_node
from .writer import DEFAULT_MAX_BYTES, DEFAULT_MAX_PASSAGES, values_at, write_deposit

__all__ = [
    "DuplicateIds",
    "FileSource",
    "FluxSource",
    "Row",
    "Options",
    "Result",
    "RowOutcome",
    "find_duplicate_ids",
    "holder_key",
    "prepare_passage",
    "read_accepted_ids",
    "run",
]

#: findings kept for the console summary; the report has all of them
FIRST_FINDINGS = 20
#: other rows named in a duplicate-id message, at most
NAMED_ROWS = 10
#: the CDC's matching criteria, in funnel order: birth name, first name, sex,
#: birth year, then month and day (SPEC.md §3, S-AT "nirisation")
CIVIL_STATUS_KEYS = (
    "nomNaissance",
    "prenom1",
    "sexe",
    "anneeNaissance",
    "moisNaissance",
    "jourNaissance",
)
ID_KEY = "idTechnique"
_civil_status = values_at(CIVIL_STATUS_KEYS)


@dataclass(frozen=True)
class Row:
    """One row given to the pipeline: its number (the line, the record id),
    the passage (None when the row could not be read at all) and the findings
    of reading it; ``row`` None with no passage: findings about the input.

    The importer's :class:`~accrochage.importer.ImportedRow` has the same
    shape and is taken as it is; any object with ``row``, ``passage`` and
    ``findings`` will do. ``origin`` names the input file of the row when a
    job reads several.
    """

    row: int | None
    passage: dict | None
    findings: list = field(default_factory=list)
    origin: str | None = None


@dataclass(frozen=True)
class Options:
    """What a deposit job is asked to do.

    ``now`` is the deposit clock (``horodatage``; naive = Paris wall time),
    ``today`` the date the rules count deadlines from (default: the date of
    ``now``, else the current date). ``accepted_ids``: the ``idTechnique``
    values the CDC has already recorded (from receipts). ``strict``: the
    rules that the official XSD does not enforce become blocking.
    ``row_label(origin, row)`` names a row in messages (the addon names a
    record). ``flux_seed`` makes the idFlux reproducible (tests, golden
    files); by default each file gets a fresh one. ``action``: CREATION or
    SUPPRESSION (``flux/action``, written by schema 1.1.5 only).
    """

    version: str = DEFAULT_VERSION
    now: datetime.datetime | None = None
    today: datetime.date | None = None
    max_passages: int = DEFAULT_MAX_PASSAGES
    max_bytes: int = DEFAULT_MAX_BYTES
    strict: bool = False
    short_lengths: bool = False
    accepted_ids: frozenset = frozenset()
    validate: bool = True
    row_label: Callable | None = None
    flux_seed: str | None = None
    action: str = "CREATION"

    def the_day(self):
        if self.today is not None:
            return self.today
        return self.now.date() if self.now is not None else datetime.date.today()


class RowOutcome(NamedTuple):
    """What became of one row: its findings, and whether it goes in the flux
    (with ``out_dir=None``: whether it would)."""

    row: int | None
    passage: dict | None
    findings: tuple
    written: bool
    origin: str | None = None


@dataclass
class Counts:
    """The row accounting of a job: every row read is written or set aside."""

    rows: int = 0
    written: int = 0
    set_aside: int = 0
    blocking: int = 0
    warnings: int = 0
    checked_only: bool = False
    by_rule: Counter = field(default_factory=Counter)

    def line(self):
        """``N lignes lues = X écrites + Y écartées``.

        >>> Counts(rows=3, written=2, set_aside=1).line()
        '3 lignes lues = 2 écrites + 1 écartée.'
        """
        read = _plural(self.rows, "ligne lue", "lignes lues")
        aside = _plural(self.set_aside, "écartée", "écartées")
        if self.checked_only:
            ready = _plural(self.rows - self.set_aside, "prête", "prêtes")
            return f"{read} = {ready} + {aside} (contrôle seul, rien n'est écrit)."
        return f"{read} = {_plural(self.written, 'écrite', 'écrites')} + {aside}."

    def as_dict(self):
        return {
            "lignes": self.rows,
            "ecrites": self.written,
            "ecartees": self.set_aside,
            "bloquants": self.blocking,
            "avertissements": self.warnings,
            "par_regle": [
                {"gravite": severity, "regle": code, "champ": dico_id, "nombre": count}
                for (severity, code, dico_id), count in self.by_rule.most_common()
            ],
        }


@dataclass
class Result:
    """The outcome of :func:`run`."""

    files: list
    counts: Counts
    first_findings: list
    file_findings: list
    notice: str = ""
    report: Path | None = None

    @property
    def has_blocking(self):
        return self.counts.blocking > 0


# --------------------------------------------------------------------------
# Compact tables of hashes: memory in bytes per row, not in Python objects
# --------------------------------------------------------------------------


class _HashTable:
    """Open addressing over arrays: a non-zero 64-bit hash → an int, or a
    set of hashes (``values=False``).

    A Python dict of 200,000 ints costs about 20 MB; this, 16 bytes a slot
    (8 for a set), filled up to 80 %.

    >>> table = _HashTable(4)
    >>> table.setdefault(hash("a"), 7), table.setdefault(hash("a"), 9), len(table)
    (None, 7, 1)
    >>> seen = _HashTable(4, values=False)
    >>> seen.add(hash("a")), seen.add(hash("a"))
    (False, True)
    """

    def __init__(self, capacity=1024, *, values=True):
        self.with_values = values
        self._allocate(capacity)

    def _allocate(self, capacity):
        self.keys = array("q", bytes(8 * capacity))
        self.values = array("q", bytes(8 * capacity)) if self.with_values else None
        self.mask = capacity - 1
        self.used = 0
        self.limit = capacity * 4 // 5  # grown past 80 %

    def __len__(self):
        return self.used

    def setdefault(self, key, value):
        """The value stored under ``key``; store ``value`` and return None if none."""
        key = key or 1  # 0 marks an empty slot
        keys, mask = self.keys, self.mask
        slot = key & mask
        found = keys[slot]
        while found != key and found:  # probed inline: most slots are free
            slot = (slot + 1) & mask
            found = keys[slot]
        if found:
            return self.values[slot]
        keys[slot] = key
        self.values[slot] = value
        self.used += 1
        if self.used > self.limit:
            self._grow()
        return None

    def add(self, key):
        """True when ``key`` was there already; else add it."""
        key = key or 1
        keys, mask = self.keys, self.mask
        slot = key & mask
        found = keys[slot]
        while found != key and found:
            slot = (slot + 1) & mask
            found = keys[slot]
        if found:
            return True
        keys[slot] = key
        self.used += 1
        if self.used > self.limit:
            self._grow()
        return False

    def _grow(self):
        old_keys, old_values, used = self.keys, self.values, self.used
        self._allocate(2 * (self.mask + 1))
        keys, values, mask = self.keys, self.values, self.mask
        for index in compress(range(len(old_keys)), old_keys):  # the slots in use
            key = old_keys[index]
            slot = key & mask
            while keys[slot]:  # the keys are distinct: the first free slot
                slot = (slot + 1) & mask
            keys[slot] = key
            if values is not None:
                values[slot] = old_values[index]
        self.used = used


class _Origins:
    """Row references as ints: the input file's index and the row number."""

    SHIFT = 40

    def __init__(self):
        self.index, self.names = {}, []

    def pack(self, origin, row):
        number = self.index.get(origin)
        if number is None:
            number = self.index[origin] = len(self.names)
            self.names.append(origin)
        return (number << self.SHIFT) | row

    def unpack(self, packed):
        return self.names[packed >> self.SHIFT], packed & ((1 << self.SHIFT) - 1)


def _id_text(value):
    """The ``idTechnique`` as normalisation leaves it (trimmed text), or None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


class DuplicateIds:
    """The ``idTechnique`` values carried by more than one row, with the rows.

    Built by :func:`find_duplicate_ids` from a pass over the ids, or given by
    the caller with :meth:`from_mapping` (``{id: [row, ...]}``, e.g. one
    ``GROUP BY`` in Odoo). Only the repeated ids are kept.
    """

    def __init__(self, entries=None, origins=None):
        # hash of the id -> [[packed row, id text or None (not seen yet)], ...]
        self._entries = entries or {}
        self.origins = origins or _Origins()

    @classmethod
    def from_mapping(cls, mapping, origin=None):
        duplicates = cls()
        for ident, rows in mapping.items():
            ident = _id_text(ident)
            rows = list(rows)
            if ident and len(rows) > 1:
                duplicates._entries[hash(ident)] = [
                    [duplicates.origins.pack(origin, row), ident] for row in rows
                ]
        return duplicates

    def __len__(self):
        return len({e[1] for entries in self._entries.values() for e in entries if e[1]})

    def others(self, packed, ident):
        """The other rows carrying ``ident`` (packed), or an empty tuple."""
        entries = self._entries.get(hash(ident))
        if not entries:
            return ()
        for entry in entries:
            if entry[0] == packed and entry[1] is None:
                entry[1] = ident  # the first row of a hash: its text is known now
        return tuple(e[0] for e in entries if e[0] != packed and e[1] in (ident, None))


def find_duplicate_ids(entries) -> DuplicateIds:
    """Find the repeated ids in ``(origin, row, idTechnique)`` entries.

    One 64-bit hash and one row reference per row; only the repeated ids are
    kept. Two ids with the same hash are told apart by their text when the
    rows are processed, so a collision never blocks a row.

    >>> dup = find_duplicate_ids([(None, 2, "A"), (None, 3, "B"), (None, 4, " A ")])
    >>> [dup.origins.unpack(p)[1] for p in dup.others(dup.origins.pack(None, 2), "A")]
    [4]
    >>> dup.others(dup.origins.pack(None, 3), "B")
    ()
    """
    collector = _IdCollector()
    for origin, row, value in entries:
        collector.add(origin, row, value)
    return collector.duplicates()


class _IdCollector:
    """The ids met so far, as hashes; the repeated ones with their rows."""

    def __init__(self):
        self.table, self.origins, self.repeated = _HashTable(), _Origins(), {}

    def add(self, origin, row, value):
        """True when this id was met before."""
        ident = _id_text(value)
        if ident is None:
            return False
        packed = self.origins.pack(origin, row)
        key = hash(ident) or 1
        first = self.table.setdefault(key, packed)
        if first is None:
            return False
        self.repeated.setdefault(key, [[first, None]]).append([packed, ident])
        return True

    def duplicates(self):
        return DuplicateIds({hash(e[-1][1]): e for e in self.repeated.values()}, self.origins)


# --------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------


def _size_of(source):
    try:
        return os.path.getsize(source)
    except (OSError, TypeError):
        return 0


class FileSource:
    """The rows of one or more CSV/XLSX files, read again for each pass.

    ``origin`` is set on each row when there are several files, so messages
    and the report name the file.
    """

    def __init__(self, paths, *, version=DEFAULT_VERSION):
        self.paths = [Path(path) for path in paths]
        self.version = version
        self.total_bytes = sum(_size_of(path) for path in self.paths)
        self.several = len(self.paths) > 1

    def _files(self, progress):
        base = 0
        for path in self.paths:
            size = _size_of(path)

            def report(done, _total, base=base):
                if progress is not None:
                    progress(base + done, self.total_bytes)

            yield path, report
            base += size

    def rows(self, progress=None) -> Iterator:
        for path, report in self._files(progress):
            origin = path.name if self.several else None
            rows = importer.iter_rows(
                path,
                version=self.version,
                filename=str(path),
                progress=report,
                normalize=origin is None,  # a Row with an origin is prepared again
            )
            if origin is None:
                yield from rows
            else:
                for item in rows:
                    yield _with_origin(item, origin)

    __iter__ = rows

    def iter_ids(self, progress=None) -> Iterator:
        """``(origin, row, idTechnique)`` of every row, for the duplicate pass."""
        read_ids = getattr(importer, "iter_ids", None)
        for path, report in self._files(progress):
            origin = path.name if self.several else None
            if read_ids is not None:
                for row, ident in read_ids(path, version=self.version, progress=report):
                    yield origin, row, ident
                continue
            rows = importer.iter_rows(
                path, version=self.version, filename=str(path), progress=report
            )
            for item in rows:
                if item.passage is not None:
                    yield origin, item.row, item.passage.get(ID_KEY)


def _with_origin(item, origin):
    return Row(item.row, item.passage, item.findings, origin)


class FluxSource:
    """A flux file read back (``accrochage validate``): first what the file
    itself breaks (:func:`accrochage.writer.validate_file`: well-formedness,
    schema, what the CDC refuses outright), then each passage, the row being
    its line in the file. ``xsd``: another schema to check the file against
    (the official XSD of the CDC kit); its messages say so."""

    def __init__(self, path, *, version=DEFAULT_VERSION, xsd=None):
        self.path, self.version, self.xsd = path, version, xsd
        self.total_bytes = _size_of(path)
        self._file_findings = None

    def file_findings(self):
        """The file-level findings, computed once; a refusal is one of them."""
        if self._file_findings is None:
            from .exceptions import DocumentInvalid
            from .writer import validate_file

            try:
                found = list(validate_file(self.path, version=self.version))
                if self.xsd:
                    found += [
                        _official(f)
                        for f in validate_file(self.path, version=self.version, xsd=self.xsd)
                    ]
            except DocumentInvalid as error:  # refused before any passage is read
                found = list(getattr(error, "findings", None) or ()) or [
                    Finding(BLOCKING, error.code, str(error), detail=error.detail)
                ]
            self._file_findings = found
        return self._file_findings

    def readable(self):
        """Whether the passages can be read: no finding after which the
        validator itself stops (``writer.UNREADABLE``)."""
        from . import writer

        unreadable = getattr(writer, "UNREADABLE", None)
        for finding in self.file_findings():
            if unreadable is not None:
                if finding.code in unreadable:
                    return False
            elif finding.blocking and not finding.code.startswith("xsd"):
                return False
        return True

    def rows(self, progress=None):
        from .reader import iter_passages

        found = self.file_findings()
        if found:
            yield Row(None, None, found)
        if not self.readable():
            return
        for line, passage, problems in iter_passages(self.path, version=self.version):
            findings = [
                Finding(
                    BLOCKING,
                    "value",
                    str(problem),
                    problem.field,
                    problem.dico_id,
                    _id_text(passage.get(ID_KEY)),
                    line,
                )
                for problem in problems
            ]
            yield Row(line, passage, findings)

    __iter__ = rows

    def iter_ids(self, progress=None):
        for item in self.rows():
            if item.passage is not None:
                yield None, item.row, item.passage.get(ID_KEY)


def _official(finding):
    return Finding(
        finding.severity,
        finding.code,
        "[XSD officiel] " + finding.message,
        finding.field,
        finding.dico_id,
        finding.passage,
        finding.row,
        finding.column,
        finding.detail,
    )


def read_accepted_ids(id_files=(), receipt_files=()) -> frozenset:
    """The ``idTechnique`` values the CDC already recorded: one id a line in
    ``id_files`` (blank lines and ``#`` comments skipped), and the accepted
    passages of earlier receipts (``existe déjà en base`` counts as recorded).

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp, "ids.txt")
    ...     _ = path.write_text("# déjà déposés\\nP-1\\n\\n P-2 \\n", encoding="utf-8")
    ...     sorted(read_accepted_ids([path]))
    ['P-1', 'P-2']
    """
    accepted = set()
    for path in id_files:
        try:
            with open(path, encoding="utf-8-sig") as handle:
                for line in handle:
                    text = line.strip()
                    if text and not text.startswith("#"):
                        accepted.add(text)
        except UnicodeDecodeError:
            raise AccrochageError(
                f"« {path} » n'est pas un fichier texte UTF-8 : mettez un idTechnique par ligne."
            ) from None
    if receipt_files:
        from .receipt import parse_receipt  # a large module: only when there are receipts
    for path in receipt_files:
        accepted.update(i for i in (_id_text(x) for x in parse_receipt(path).accepted_ids) if i)
    return frozenset(accepted)


# --------------------------------------------------------------------------
# Preparing a passage: normalised, then completed from the table
# --------------------------------------------------------------------------

#: a table condition that a presence flag announces: "si #5.12 = true"
_FLAG_CONDITION = "si #{} = true"


def _given(value):
    """A value the flux would carry: not None, blank text or an empty list."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple)):
        return bool(value)
    return True


def _keys(keys):
    return tuple(sorted(key for key in keys if key))


@cache
def _completion(version):
    """What the table derives, per version: ``(flags, same)``.

    ``flags``: ``(flag key, keys of what it announces)`` for each Boolean
    that a node's condition names (NC5 V22 #5.12, #5.14: "vrai si #5.13 / le
    bloc 6 est transmis"). ``same``: ``(key, the key it repeats, keys that
    say its group is filled)`` for each leaf with ``same_as``.
    """
    schema = get_schema(version)
    flags = []
    for node in schema.nodes:
        for trigger in schema.nodes:
            if (
                isinstance(trigger.value, Boolean)
                and trigger.dico_id
                and _FLAG_CONDITION.format(trigger.dico_id) in node.conditions
            ):
                flags.append((trigger.key, _keys(schema.keys_under(node.path))))
    leaves = [node for node in schema.leaves if node.same_as]
    repeated = {node.key for node in leaves}
    same = tuple(
        (node.key, node.same_as, _keys(schema.keys_under(node.parent) - repeated))
        for node in leaves
    )
    return tuple(flags), same


def prepare_passage(passage, *, version=DEFAULT_VERSION):
    """The passage as every door sends it: normalised, then completed.

    :func:`accrochage.rules.normalize_passage` cleans the values; then what
    the dictionary derives is filled in where it is not given (a value the
    input gives is kept, and checked as it is):

    - a presence flag (#5.12, #5.14) says whether what it announces (#5.13,
      block 6) is given;
    - a fact the dictionary gives again elsewhere takes that value, inside a
      group that is filled: the emitter's client id (#2.1, "identique au
      #3.1 si le certificateur dépose lui-même"), the holder's name and first
      name in the CPF file branch (#9.2, #9.3) when a file number is given.

    >>> from accrochage.samples import make_passage
    >>> done = prepare_passage(make_passage(
    ...     idClientEmetteur=None, presenceNiveauLangueEuro=None,
    ...     niveauLangueEuropeen="B2", prenom1="  élodie   marie "))
    >>> done["idClientEmetteur"], done["presenceNiveauLangueEuro"], done["prenom1"]
    ('12ABC345', True, 'ÉLODIE MARIE')
    >>> done["presenceNiveauNumeriqueEuro"], "nomTitulaire" in done
    (False, False)
    >>> cpf = prepare_passage(make_passage(idDossier="123456789"))
    >>> cpf["nomTitulaire"], cpf["prenom1Titulaire"]
    ('MARTIN', 'ÉLODIE')
    """
    return _preparer(str(version))(passage)


@cache
def _preparer(version):
    """:func:`prepare_passage` for one version: the completion that
    :func:`_completion` describes, in straight code generated from it."""
    flags, same = _completion(version)

    def given(key):  # _given(get(key)), inline
        return (
            f"((v := g({key!r})) is not None and ((v != '' and not v.isspace())"
            " if v.__class__ is str else _given(v)))"
        )

    def any_given(keys):
        return " or ".join(map(given, keys)) or "False"

    lines = ["def complete(r):", " g = r.get"]
    for flag, keys in flags:
        lines.append(f" if g({flag!r}) is None: r[{flag!r}] = {any_given(keys)}")
    for key, source, group in same:
        lines.append(f" if not {given(key)} and {given(source)} and ({any_given(group)}):")
        lines.append(f"  r[{key!r}] = g({source!r})")
    lines.append(" return r")
    namespace = {"_given": _given}
    code = compile("\n".join(lines), f"<accrochage prepare {version}>", "exec")
    exec(code, namespace)  # noqa: S102 (source generated from the table)
    complete, normalize = namespace["complete"], rules.normalize_passage

    def prepare(passage):
        return complete(normalize(passage, version=version))

    prepare.complete = complete  # for a passage that is normalized already
    return prepare


# --------------------------------------------------------------------------
# The job
# --------------------------------------------------------------------------

#: ``rules.check_passage`` takes ``strict`` (schemas 2026-12: rules the XSD
#: does not enforce block under strict); the writer, a ``flux_seed``
_STRICT_RULES = "strict" in inspect.signature(rules.check_passage).parameters
_SEEDED_WRITER = "flux_seed" in inspect.signature(write_deposit).parameters


def _default_label(origin, row):
    return f"ligne {row}" + (f" de {origin}" if origin else "")


class _Job:
    """One call of :func:`run`: options compiled once, then a row at a time."""

    def __init__(self, options, duplicates, sinks, watch=None, known=()):
        self.options = options
        self.watch = watch
        self.version = str(options.version)
        self.schema = get_schema(self.version)
        self.id_node = self.schema.by_key[ID_KEY]
        self.duplicates = duplicates
        self.origins = duplicates.origins if duplicates is not None else _Origins()
        self.holders = _HashTable()
        for key, origin, row in known:  # holders outside the job are met first
            self.holders.setdefault(key, self.origins.pack(origin, row))
        self.sinks = sinks
        self.counts = Counts()
        self.first, self.file_findings = [], []
        self.label = options.row_label or _default_label
        self.check_options = {
            "version": self.version,
            "today": options.the_day(),
            "short_lengths": options.short_lengths,
        }
        if _STRICT_RULES:
            self.check_options["strict"] = options.strict
        self.prepare = _preparer(self.version)
        self.complete = self.prepare.complete
        self.check = rules.passage_checker(**self.check_options)
        self.sequence = 0

    # one row ---------------------------------------------------------------

    def process(self, item):
        """The passage to write, or None; the outcome goes to every sink."""
        row, passage = item.row, item.passage
        origin = getattr(item, "origin", None)
        findings = item.findings
        if row is None and passage is None:  # not a data row: about the file
            self._file_level(list(findings))
            return None
        self.sequence += 1
        if row is None:
            row = self.sequence
        if passage is not None:
            if getattr(item, "normalized", None) == self.version:
                passage = self.complete(passage)  # read normalized: completed only
            else:
                passage = self.prepare(passage)
            checked = self.check(passage)
            across = self._across(passage, origin, row)
            if not (checked or across or findings):
                return self._ready(row, passage, origin)
            findings = list(findings)
            if checked:
                # a cell the reader refused is left empty: the rules would
                # only say again that it is missing or wrong
                refused = {f.field for f in findings if f.field and f.severity == BLOCKING}
                findings.extend(_at_row(f, row) for f in checked if f.field not in refused)
            findings.extend(across)
        else:
            findings = list(findings)
        written = passage is not None and (
            not findings or not any(f.severity == BLOCKING for f in findings)
        )
        self._count(findings, written)
        if self.sinks:
            outcome = RowOutcome(row, passage, tuple(findings), written, origin)
            for sink in self.sinks:
                sink(outcome)
        return passage if written else None

    def _ready(self, row, passage, origin):
        """The usual row: nothing to say, written."""
        counts = self.counts
        counts.rows += 1
        counts.written += 1
        if self.sinks:
            outcome = RowOutcome(row, passage, (), True, origin)
            for sink in self.sinks:
                sink(outcome)
        return passage

    def _file_level(self, findings):
        self.file_findings.extend(findings)
        self._tally(findings)
        if self.sinks:
            outcome = RowOutcome(None, None, tuple(findings), False)
            for sink in self.sinks:
                sink(outcome)

    def _count(self, findings, written):
        counts = self.counts
        counts.rows += 1
        if written:
            counts.written += 1
        else:
            counts.set_aside += 1
        if findings:
            self._tally(findings)

    def _tally(self, findings):
        counts = self.counts
        for finding in findings:
            if finding.severity == BLOCKING:
                counts.blocking += 1
            else:
                counts.warnings += 1
            counts.by_rule[(finding.severity, finding.code, finding.dico_id)] += 1
            if len(self.first) < FIRST_FINDINGS:
                self.first.append(finding)

    # across rows -----------------------------------------------------------

    def _across(self, passage, origin, row):
        found = []
        ident = passage.get(ID_KEY)
        ident = (ident.strip() or None) if ident.__class__ is str else _id_text(ident)
        if ident is not None:
            packed = self.origins.pack(origin, row)
            if self.watch is not None:
                if self.watch.add(hash(ident)):
                    raise _Restart
                others = ()
            else:
                others = self.duplicates.others(packed, ident)
                if others:
                    found.append(self._duplicate_id(ident, others, row))
            if ident in self.options.accepted_ids:
                found.append(self._already_accepted(ident, row))
            holder = None if others else _holder_key(passage)
            if holder is not None:
                first = self.holders.setdefault(hash(holder), packed)
                if first is not None:
                    found.append(self._same_holder(ident, first, row))
        return found

    def _name(self, packed):
        return self.label(*self.origins.unpack(packed))

    def _duplicate_id(self, ident, others, row):
        names = [self._name(p) for p in others[:NAMED_ROWS]]
        if self.options.row_label is None:  # "lignes 3, 7" rather than "ligne 3, ligne 7"
            names = [name.removeprefix("ligne ") for name in names]
            names[0] = ("lignes " if len(others) > 1 else "ligne ") + names[0]
        named = ", ".join(names)
        more = len(others) - NAMED_ROWS
        if more > 0:
            named += f" et {more} autre{'s' if more > 1 else ''}"
        # a caller's labels carry their article ("le passage n° 12")
        where = (
            f"figure aussi {named} de ce dépôt"
            if self.options.row_label is None
            else f"est aussi porté par {named}"
        )
        return for_node(
            self.id_node,
            BLOCKING,
            "duplicate_id",
            f"« {_short(ident)} » {where} : la Caisse des Dépôts "
            "n'enregistrerait que le premier et répondrait « existe déjà en base » pour les "
            "autres, sans enregistrer ces titulaires. Quel titulaire porte cet identifiant ne "
            "peut pas être deviné : donnez à chaque passage un identifiant technique unique.",
            passage=ident,
            row=row,
        )

    def _already_accepted(self, ident, row):
        return for_node(
            self.id_node,
            BLOCKING,
            "already_accepted",
            f"« {_short(ident)} » est déjà enregistré par la Caisse des Dépôts (accusé de "
            "traitement) : elle répondrait « existe déjà en base » et n'enregistrerait pas ce "
            "titulaire. S'il s'agit d'un autre titulaire ou d'une correction, donnez-lui un "
            "nouvel identifiant technique ; si ce passage est déjà accepté, retirez la ligne.",
            passage=ident,
            row=row,
        )

    def _same_holder(self, ident, first, row):
        return Finding(
            WARNING,
            "duplicate_holder",
            f"Même titulaire, même certification et même date d'examen que "
            f"{'la ' if self.options.row_label is None else ''}{self._name(first)}, sous un "
            "autre identifiant technique : s'il s'agit du même "
            "passage, gardez-en une seule ligne, sinon la Caisse des Dépôts l'enregistrera "
            "deux fois.",
            passage=ident,
            row=row,
        )


def _plural(count, singular, plural):
    return f"{count} {singular if count <= 1 else plural}"


def _short(text, limit=60):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _at_row(finding, row):
    if finding.row is not None:
        return finding
    return Finding(
        finding.severity,
        finding.code,
        finding.message,
        finding.field,
        finding.dico_id,
        finding.passage,
        row,
        finding.column,
        finding.detail,
    )


def _holder_key(passage):
    """Who the holder is, for the "same holder twice" warning: the NIR, else
    the civil-status matching criteria, else the CPF file number; with the
    certification and the exam date (the award date when there is none)."""
    get = passage.get
    nir = get("nir")
    if nir:
        who = ("nir", str(nir)[:13])
    elif get("nomNaissance") and get("prenom1"):
        who = _civil_status(passage)
    elif get("idDossier"):
        who = ("dossier", get("idDossier"))
    else:
        return None
    return (get("type"), get("code"), get("dateDebutExamen") or get("dateDebutValidite"), *who)


def holder_key(passage, *, version=DEFAULT_VERSION, prepared=False):
    """Who ``passage`` is for the "same holder twice" warning, as the job
    compares its rows: a tuple of the certification, the exam date and the
    holder (normalised: typed otherwise, the same holder is the same), or None
    when the passage says too little. ``prepared``: the passage is one the
    job prepared already (a :class:`RowOutcome`'s).

    >>> from accrochage.samples import make_passage
    >>> key = holder_key(make_passage(1, nomNaissance=" martin "))
    >>> key == holder_key(make_passage(2, nomNaissance="MARTIN")), key[:2]
    (True, ('RNCP', 'RNCP35726'))
    """
    return _holder_key(passage if prepared else prepare_passage(passage, version=version))


def _known_holders(holders, version):
    """``(hash of the holder key, origin, row)`` of passages outside the job."""
    known = []
    for origin, row, passage in holders:
        key = holder_key(passage, version=version)
        if key is not None:
            known.append((hash(key), origin, row))
    return known


def _source_rows(source, progress):
    rows = getattr(source, "rows", None)
    if rows is not None:
        return rows(progress=progress)
    return iter(source)


def _id_entries(source, progress):
    """The ids of every row, for the id pass: from the source's own id
    reader when it has one, else from its rows."""
    iter_ids = getattr(source, "iter_ids", None)
    if iter_ids is not None:
        yield from iter_ids(progress=progress)
        return
    sequence = 0
    for item in _items(source, progress):
        if item.row is None and item.passage is None:
            continue
        sequence += 1
        if item.passage is not None:
            row = item.row if item.row is not None else sequence
            yield getattr(item, "origin", None), row, item.passage.get(ID_KEY)


def _items(source, progress):
    """The rows of ``source`` as :class:`Row`-like items."""
    rows = _source_rows(source, progress)
    if isinstance(source, (FileSource, FluxSource)):
        return rows  # Row-like already
    return _as_items(rows)


def _as_items(rows):
    for item in rows:
        yield Row(None, item) if isinstance(item, dict) else item


class _Phases:
    """One progress scale for the whole job: the id pass, then the main pass."""

    ID_SHARE = 0.15

    def __init__(self, progress, two_passes):
        self.progress = progress
        self.start, self.end = 0.0, (self.ID_SHARE if two_passes else 1.0)

    def __call__(self, done, total):
        if self.progress is not None and total:
            self.progress(self.start + (self.end - self.start) * min(done / total, 1.0))

    def next(self):
        self.start, self.end = self.end, 1.0

    def restart(self):
        """Back to an id pass then a main pass (the bar goes back once)."""
        self.start, self.end = 0.0, self.ID_SHARE


def output_dir(path) -> Path:
    """Create the output folder if needed; a French error when it cannot be.

    >>> import tempfile, pathlib
    >>> with tempfile.NamedTemporaryFile() as taken:
    ...     output_dir(taken.name)
    Traceback (most recent call last):
    ...
    accrochage.exceptions.AccrochageError: « ... » existe déjà et n'est pas un dossier : ...
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise AccrochageError(
            f"« {path} » existe déjà et n'est pas un dossier : choisissez un dossier de "
            "sortie (option -o) qui n'est pas un fichier."
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AccrochageError(
            f"Impossible de créer le dossier de sortie « {path} » ({os_reason(error)}) : "
            "choisissez un autre dossier (option -o)."
        ) from None
    return path


#: why a file operation failed, in French (errno → text)
_OS_REASONS = {
    "ENOENT": "introuvable",
    "EISDIR": "c'est un dossier, pas un fichier",
    "ENOTDIR": "un élément du chemin n'est pas un dossier",
    "EEXIST": "existe déjà",
    "EACCES": "droits d'accès insuffisants",
    "EPERM": "opération non permise",
    "ENOSPC": "disque plein",
    "EROFS": "système de fichiers en lecture seule",
    "ENAMETOOLONG": "nom trop long",
}


def os_reason(error: OSError) -> str:
    """The reason of an ``OSError`` in French, without ``[Errno …]``.

    >>> os_reason(FileNotFoundError(2, "No such file or directory"))
    'introuvable'
    """
    import errno

    name = errno.errorcode.get(error.errno or 0, "")
    return _OS_REASONS.get(name, "erreur du système de fichiers")


def run(
    source: Iterable,
    out_dir=None,
    *,
    options: Options | None = None,
    on_row: Callable | Iterable | None = None,
    duplicates: DuplicateIds | None = None,
    holders: Iterable | None = None,
    report=None,
    progress: Callable | None = None,
) -> Result:
    """Run a deposit job over ``source``; write the flux into ``out_dir``.

    ``source``: rows (:class:`Row`-like items, or passage dicts,
    numbered from 1), a :class:`FileSource` or :class:`FluxSource`. Without
    ``duplicates``, the ids are read in a first pass, so ``source`` must be
    re-iterable (a list, a source object), not a one-shot iterator.
    ``out_dir`` None checks without writing. ``on_row``: a callable, or
    several, called with each :class:`RowOutcome` (findings about the file
    come with ``row=None``). ``holders``: ``(origin, row, passage)`` of
    passages outside ``source`` that count for the "same holder twice"
    warning (the addon's other passages in the database): a row of the same
    holder, certification and exam date under another id names them.
    ``report``: the path of the findings report CSV
    (:class:`accrochage.export.FindingsReport`). ``progress(fraction)``
    follows the whole job.

    Raises :class:`~accrochage.exceptions.AccrochageError` when an input
    cannot be read or a file cannot be written; no flux file and no report
    is left behind then.
    """
    options = options or Options()
    sinks = [on_row] if callable(on_row) else list(on_row or ())
    if out_dir is not None:
        out_dir = output_dir(out_dir)
    if duplicates is None and _one_shot(source):
        raise TypeError(
            "run(): a one-shot iterator cannot be read twice; pass a list, a source "
            "object, or duplicates=DuplicateIds.from_mapping(...)."
        )
    optimistic = duplicates is None and all(_restartable(sink) for sink in sinks)
    phases = _Phases(progress, two_passes=duplicates is None and not optimistic)
    if duplicates is None and not optimistic:
        duplicates = find_duplicate_ids(_id_entries(source, phases))
        phases.next()
    pending = report_sink = None
    if report is not None:
        from .export import FindingsReport

        report = Path(report)
        output_dir(report.parent)
        pending = report.with_name("." + report.name + ".tmp")
        report_sink = FindingsReport(
            pending,
            version=str(options.version),
            with_origin=getattr(source, "several", False),
        )
        sinks.append(report_sink)
    known = _known_holders(holders or (), str(options.version))
    try:
        job, files = _attempt(source, out_dir, options, sinks, duplicates, phases, known)
    except BaseException:
        if report_sink is not None:
            report_sink.close()
            pending.unlink(missing_ok=True)
        raise
    if report_sink is not None:
        report_sink.close()
        os.replace(pending, report)
    if progress is not None:
        progress(1.0)
    return Result(
        files=files,
        counts=job.counts,
        first_findings=job.first,
        file_findings=job.file_findings,
        notice=getattr(job.schema, "notice", "") or "",
        report=report,
    )


def _one_shot(source):
    """An iterator that cannot be read a second time (a source object can)."""
    if hasattr(source, "rows") or hasattr(source, "iter_ids"):
        return False
    return iter(source) is source


class _Restart(Exception):
    """An id met twice in an optimistic pass: the job starts over, knowing."""


def _restartable(sink):
    return callable(getattr(sink, "restart", None))


def _attempt(source, out_dir, options, sinks, duplicates, phases, known=()):
    """The main pass. Without ``duplicates``, it is optimistic: most inputs
    repeat no id, so the rows are handled at once while the hashes of their
    ids are noted (8 bytes a row); at the first repeat, the files and sinks
    are dropped, the ids are read in a pass of their own, and the job runs
    again with every repeated id known."""
    if duplicates is not None:
        job = _Job(options, duplicates, sinks, known=known)
        return job, _write(job, _items(source, phases), out_dir, options)
    job = _Job(options, None, sinks, watch=_HashTable(values=False), known=known)
    try:
        return job, _write(job, _items(source, phases), out_dir, options)
    except _Restart:
        pass
    for sink in sinks:
        sink.restart()
    phases.restart()
    duplicates = find_duplicate_ids(_id_entries(source, phases))
    phases.next()
    job = _Job(options, duplicates, sinks, known=known)
    return job, _write(job, _items(source, phases), out_dir, options)


def _write(job, items, out_dir, options):
    process = job.process
    passages = (passage for item in items if (passage := process(item)) is not None)
    if out_dir is None:
        job.counts.checked_only = True
        for _passage in passages:
            pass
        return []
    extra = {}
    if options.flux_seed is not None and _SEEDED_WRITER:
        extra["flux_seed"] = options.flux_seed
    return write_deposit(
        passages,
        out_dir,
        version=job.version,
        now=options.now,
        max_bytes=options.max_bytes,
        max_passages=options.max_passages,
        validate=options.validate,
        action=options.action,
        **extra,
    )
