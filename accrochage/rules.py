"""Pre-send rules: what keeps a passage out of a deposit, and what to fix.

``check_passage`` returns the :class:`~accrochage.findings.Finding` list of
one passage, before any XML is written; it is :func:`check_facets` (every
XSD constraint, derived from the dictionary table) followed by
:func:`check_business` (the rules the XSD cannot state). Each rule's
severity and source come from :mod:`accrochage.rulebook`: blocking only
what the CDC refuses (the XSD, or a rejection a CDC guide documents); what
a CDC document asks for without the CDC enforcing it is a warning, and
blocking with ``strict=True``; advice never blocks. Every finding names its
``source``, and a message names it too when it is not the XSD.

- XSD constraints: required elements (``None`` is fine where nillable),
  only inside the chosen branch of a choice and inside optional groups
  that are present; text lengths and patterns, integer ranges,
  enumerations, dates (AAAA-MM-JJ, 1900-2099), booleans, each DigComp result;
- the CDC's documented rejections: type and code, date order, admitted
  candidates only, an impossible birth date;
- the dictionary's and template's asks: VAE route, presence flags, DigComp
  pairs, birthplace abroad / in France, INSEE code shape;
- advice: names longer than an older dictionary's limit, a plausible birth
  date, the NIR's coherence, the legal deadline, and what the guides imply
  (a score for PAR_SCORING, a provisional result, a numeric CPF file
  number, an https proof link).

Performance: the table is compiled once per version, like the writer's
renderer. Passages of one deposit share a few *shapes* (chosen branches,
present groups); for each shape a generated function tells, in straight
code, whether any XSD constraint can fail. Only then does the interpreted
check run, to say which and why: its findings are the reference.

Flux facts (``idFlux``, ``horodatage``, ``action``) are the writer's and are
not checked here. Besides the dictionary's fact keys a passage may carry
``"nir"`` (15 characters with the key, or 13) and the meta key ``"admis"``:
``False`` marks a candidate who did not pass, who must not be transmitted.

>>> import datetime
>>> from accrochage.samples import make_passage
>>> check_passage(make_passage(), today=datetime.date(2026, 11, 2))
[]
>>> vae = make_passage(modaliteAcces="VAE")
>>> [(f.severity, f.code) for f in check_passage(vae, today=datetime.date(2026, 11, 2))]
[('warning', 'conditional_missing')]
>>> [(f.severity, f.code)
...  for f in check_passage(vae, today=datetime.date(2026, 11, 2), strict=True)]
[('blocking', 'conditional_missing')]
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

from . import birth
from . import nir as nir_number
from .business_rules import _RULES, ADMITTED, _block, _nir_findings  # noqa: F401 (_RULES: tests)
from .business_rules import business as _business
from .dictionary import DEFAULT_VERSION, Boolean, Date, Enum, Integer, Text, get_schema
from .findings import BLOCKING, WARNING, Finding
from .rule_plan import (
    _PLANS,
    _XML_ILLEGAL,
    NIR,
    NIR_SET_ASIDE,
    WRITER_LEVELS,
    _as_date,
    _as_int,
    _blank,
    _nir_fault,
)
from .rule_plan import compiled as _plan
from .rulebook import BLOCKS, RULES, STRICT
from .values import check_text, to_xml_text

__all__ = [
    "ADMITTED",
    "MIN_AGE",
    "NIR",
    "NIR_SET_ASIDE",
    "WRITER_LEVELS",
    "check_business",
    "check_facets",
    "check_passage",
    "check_passages",
    "chosen_branches",
    "normalize_passage",
    "passage_checker",
]

#: below this age at the award date, a birth year is probably mistyped
MIN_AGE = birth.MIN_AGE


def chosen_branches(passage, *, version=DEFAULT_VERSION):
    """Which branch of each choice the passage fills: ``{choice path: branch path}``.

    The first branch (in table order) holding a fact no other branch holds
    wins; when none does, a branch that may be written as ``xsi:nil`` (the
    birth postal code) is taken; otherwise the value is ``None``. A NIR that
    cannot be written does not select its branch when another branch is
    complete (the civil status): :func:`normalize_passage` then sets it
    aside, so that the writer, which picks branches the same way, agrees.

    >>> from accrochage.samples import make_passage
    >>> picked = chosen_branches(make_passage(codeInsee=None))
    >>> sorted(path.rsplit("/", 1)[1] for path in picked.values())
    ['codePostalNaissance', 'titulaire']
    """
    return dict(_plan(str(version)).shape(passage).chosen)


class _Context:
    """One passage being checked: its values, its shape and the options."""

    __slots__ = (
        "active_keys",
        "get",
        "passage",
        "plan",
        "shape",
        "short_lengths",
        "strict",
        "today",
        "warn_days",
    )

    def __init__(self, plan, passage, today, short_lengths, warn_days, strict):
        self.plan = plan
        self.passage = passage
        self.get = passage.get
        self.today = today
        self.short_lengths = short_lengths
        self.warn_days = warn_days
        self.strict = strict
        shape = self.shape = plan.shape(passage)
        self.active_keys = shape.active_keys

    @property
    def schema(self):
        return self.plan.schema

    def open(self, gates):
        return self.shape.open(gates)

    @property
    def chosen(self):
        return self.shape.chosen

    def value(self, key):
        """The value of an active fact (None when unknown or not written)."""
        return self.passage.get(key) if key in self.active_keys else None

    def node(self, key):
        return self.plan.schema.by_key[key]

    def _where(self):
        ident = self.passage.get("idTechnique")
        return None if _blank(ident) else str(ident)

    def _severity(self, level):
        if level == BLOCKS or (level == STRICT and self.strict):
            return BLOCKING
        return WARNING

    def finding(self, node, code, message, *, severity=None, source=None):
        """A finding on a field, graded and sourced by the rulebook."""
        rule = RULES[code]
        source = source or rule.source
        if source:
            message = f"{message} Source : {source}."
        return Finding(
            severity or self._severity(rule.level),
            code,
            f"{node.label} ({node.ref}) {message}",
            field=node.key,
            dico_id=node.dico_id,
            passage=self._where(),
            source=source or self.plan.xsd_source,
        )

    def plain_finding(self, code, message, field, *, severity=None):
        """A finding on a fact the table does not hold (``admis``, a 1.1.2 NIR)."""
        rule = RULES[code]
        return Finding(
            severity or self._severity(rule.level),
            code,
            f"{message} Source : {rule.source}.",
            field=field,
            passage=self._where(),
            source=rule.source,
        )


# ------------------------------------------------------- XSD constraints


@lru_cache(maxsize=4096)
def _date_ok(pattern, text):
    """The lexical pattern of the table, and a real calendar day (xsd:date)."""
    return bool(re.fullmatch(pattern, text)) and _as_date(text) is not None


def _wrong_type(kind):
    return [("type", f"n'est pas du type attendu ({kind.describe()}) : corrigez la valeur.")]


def _boolean_problems(node, value, short_lengths):
    # the writer writes any truthy value as "true": only a real bool is safe
    return [] if value is True or value is False else _wrong_type(node.value)


def _integer_problems(node, value, short_lengths):
    kind = node.value
    number = _as_int(value)
    if number is None:
        return _wrong_type(kind)
    if not kind.minimum <= number <= kind.maximum:
        return [("range", f"doit être un {kind.describe()} : corrigez la valeur.")]
    return []


def _date_problems(node, value, short_lengths):
    if not isinstance(value, (datetime.date, str)) or isinstance(value, datetime.datetime):
        return _wrong_type(node.value)
    if not _date_ok(node.value.pattern, to_xml_text(node, value)):
        return [
            (
                "date",
                "doit être une date réelle au format AAAA-MM-JJ, entre 1900 et 2099 : corrigez-la.",
            )
        ]
    return []


def _enum_problems(node, value, short_lengths):
    kind = node.value
    if isinstance(value, str) and value in kind.values:
        return []
    shown = str(value)[:40]
    return [
        ("enum", f"n'accepte pas « {shown} » : choisissez parmi " + ", ".join(kind.values) + ".")
    ]


def _plain_text_problems(node, value, short_lengths):
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return _wrong_type(node.value)
    return _text_problems(node, str(value), short_lengths)


#: one checker per value type of the table (date-times are flux facts)
_CHECKERS = {
    Boolean: _boolean_problems,
    Integer: _integer_problems,
    Date: _date_problems,
    Enum: _enum_problems,
    Text: _plain_text_problems,
}


def _value_problems(node, value, short_lengths):
    """``(code, message)`` for a non-blank value of a leaf; severity and
    source come from the rulebook (``dico_length`` is the one exception)."""
    return _CHECKERS[type(node.value)](node, value, short_lengths)


def _text_problems(node, text, short_lengths):
    problems = [
        (code, f"{message} : corrigez la valeur.") for code, message in check_text(node, text)
    ]
    if _XML_ILLEGAL.search(text):
        problems.append(
            (
                "characters",
                "contient un caractère de contrôle invisible, interdit en XML : "
                "ressaisissez la valeur.",
            )
        )
    short = node.dico_max_length
    if short and len(text) > short and not any(p[0] == "max_length" for p in problems):
        problems.append(("dico_length", _dico_length_message(node, len(text), short_lengths)))
    return problems


def _dico_length_message(node, size, short_lengths):
    """The shorter limit, its source, and never "shorten the name"
    (NC5 V22 #8.1-#8.5: 60 characters; matching is on the exact birth name,
    receipt guide V3 p.4)."""
    limit, top = node.dico_max_length, node.value.max_length
    if node.normalize == "name":
        message = (
            f"compte {size} caractères, plus que les {limit} de l'ancienne feuille Dictionnaire "
            f"(V.16) du modèle Excel ; le dictionnaire NC5 V22 et le XSD en acceptent {top} : "
            "transmettez-le tel qu'il figure à l'état civil, sans l'abréger (la Caisse des "
            "Dépôts rapproche le nom exact)."
        )
    else:
        message = (
            f"compte {size} caractères, plus que les {limit} du dictionnaire NC5 V22 ; le XSD "
            f"en accepte {top} : vérifiez le libellé, le fichier reste valide."
        )
    if short_lengths:
        message += " Bloquant parce que les longueurs courtes sont demandées (--short-lengths)."
    return message


def _leaf_findings(ctx, node, value, prefix=""):
    if _blank(value):
        if node.required and not node.nillable:
            return [
                ctx.finding(node, "required", prefix + "est obligatoire : renseignez une valeur.")
            ]
        return []
    if node.key == NIR:
        found = _nir_findings(ctx, value)
        if found:
            return found
        value = nir_number.to_13(value)
    findings = []
    for code, message in _value_problems(node, value, ctx.short_lengths):
        if code == "dico_length":
            findings.append(
                ctx.finding(
                    node,
                    code,
                    prefix + message,
                    severity=BLOCKING if ctx.short_lengths else WARNING,
                    source=node.dico_length_source,
                )
            )
        else:
            findings.append(ctx.finding(node, code, prefix + message))
    return findings


def _structure(ctx):
    """Every XSD constraint of the table, leaf by leaf (the reference check)."""
    findings = []
    for choice in ctx.plan.choices:
        if ctx.open(choice.gates):
            findings.extend(_choice_findings(ctx, choice))
    get = ctx.passage.get
    for node in ctx.shape.active:
        value = get(node.key)
        if _blank(value) or node.key == NIR or _value_problems(node, value, ctx.short_lengths):
            findings.extend(_leaf_findings(ctx, node, value))
    findings.extend(_item_findings(ctx))
    return findings


def _choice_findings(ctx, choice):
    chosen = ctx.chosen[choice.node.path]
    if chosen is None:
        wanted = " ou ".join(_block(b.node) for b in choice.branches)
        return [ctx.finding(choice.node, "choice_missing", f"manque : renseignez {wanted}.")]
    picked = next(b for b in choice.branches if b.node.path == chosen)
    return [
        ctx.finding(
            branch.node,
            "branch_ignored",
            f"ne sera pas transmis, car {_block(picked.node)} est renseigné et un seul "
            "mode est accepté : retirez ces données si elles ne servent pas.",
        )
        for branch in ctx.shape.ignored[choice.node.path]
    ]


def _item_findings(ctx):
    plan = ctx.plan
    items = ctx.passage.get(plan.items.key)
    if _blank(items):
        return []
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, dict) for i in items):
        return [
            ctx.finding(
                plan.items,
                "type",
                "doit être une liste de résultats (niveau, domaine, compétence) : "
                "corrigez la donnée.",
            )
        ]
    findings = []
    for number, item in enumerate(items, 1):
        prefix = f"(résultat n° {number}) "
        for node in plan.item_leaves:
            findings.extend(_leaf_findings(ctx, node, item.get(node.key), prefix))
        for key in sorted(set(item) - plan.item_keys):
            findings.append(
                ctx.finding(
                    plan.items,
                    "unknown_key",
                    f"{prefix}contient « {key} », qui n'est pas transmis : attendu "
                    + ", ".join(sorted(plan.item_keys))
                    + ".",
                )
            )
    return findings


# --------------------------------------------------------------- public API


def _context(passage, version, today, short_lengths, warn_days, strict):
    return _Context(
        _plan(str(version)),
        passage,
        today or datetime.date.today(),
        short_lengths,
        warn_days,
        strict,
    )


def check_facets(
    passage, *, version=DEFAULT_VERSION, today=None, short_lengths=False, warn_days=30, strict=False
):
    """The XSD constraints only: what libxml2 would refuse, said in French.

    Takes the options of :func:`check_passage`. A caller that validates with
    the schema anyway may run this only to explain a refused passage.

    >>> import datetime
    >>> from accrochage.samples import make_passage
    >>> [f.code for f in check_facets(make_passage(sexe="X", modaliteAcces="VAE"))]
    ['enum']
    """
    ctx = _context(passage, version, today, short_lengths, warn_days, strict)
    clean = ctx.shape.clean
    return [] if clean is not None and clean(passage) else _structure(ctx)


def check_business(
    passage, *, version=DEFAULT_VERSION, today=None, short_lengths=False, warn_days=30, strict=False
):
    """The rules beyond the XSD only (takes the options of :func:`check_passage`).

    >>> import datetime
    >>> from accrochage.samples import make_passage
    >>> [f.code for f in check_business(make_passage(sexe="X", modaliteAcces="VAE"),
    ...                                 today=datetime.date(2026, 11, 2))]
    ['conditional_missing']
    """
    ctx = _context(passage, version, today, short_lengths, warn_days, strict)
    return _business(ctx, [])


def check_passage(
    passage,
    *,
    version=DEFAULT_VERSION,
    today=None,
    short_lengths=False,
    warn_days=30,
    strict=False,
):
    """The findings of one passage, in table order then rule by rule.

    ``today`` (default: the current date) dates the deadline and plausibility
    checks; ``short_lengths`` makes the dictionaries' shorter lengths
    (30/20/40) blocking instead of warnings; ``warn_days`` is how early the
    deadline warning starts; ``strict`` makes blocking what a CDC document
    asks for but the CDC does not enforce (:mod:`accrochage.rulebook`).

    >>> from accrochage.samples import make_passage
    >>> found = check_passage(make_passage(nomNaissance=None, sexe="X"),
    ...                       today=datetime.date(2026, 11, 2))
    >>> [(f.severity, f.code, f.dico_id, f.source) for f in found]
    [('blocking', 'required', '8.1', 'XSD 1.1.2'), ('blocking', 'enum', '8.9', 'XSD 1.1.2')]
    >>> print(found[0].message)
    Nom de naissance (#8.1 nomNaissance) est obligatoire : renseignez une valeur.
    """
    plan = _PLANS.get(version) or _plan(str(version))
    ctx = _Context(plan, passage, today or datetime.date.today(), short_lengths, warn_days, strict)
    clean = ctx.shape.clean
    findings = [] if clean is not None and clean(passage) else _structure(ctx)
    return _business(ctx, findings)


def passage_checker(
    *,
    version=DEFAULT_VERSION,
    today=None,
    short_lengths=False,
    warn_days=30,
    strict=False,
):
    """``check(passage)``: :func:`check_passage` with its options bound once,
    for a job that checks many passages.

    >>> from accrochage.samples import make_passage
    >>> check = passage_checker(today=datetime.date(2026, 11, 2))
    >>> [f.code for f in check(make_passage(sexe="X"))]
    ['enum']
    """
    plan = _plan(str(version))
    today = today or datetime.date.today()

    def check(passage):
        ctx = _Context(plan, passage, today, short_lengths, warn_days, strict)
        clean = ctx.shape.clean
        findings = [] if clean is not None and clean(passage) else _structure(ctx)
        return _business(ctx, findings)

    return check


def check_passages(passages, **options):
    """Yield ``(passage, findings)`` for each passage, lazily.

    Takes the options of :func:`check_passage`. A repeated ``idTechnique``
    is blocking from its second occurrence: the CDC records the first one
    only ("existe déjà en base", receipt guide V3 p.3).

    >>> from accrochage.samples import make_passage
    >>> today = datetime.date(2026, 11, 2)
    >>> results = check_passages([make_passage(1), make_passage(1)], today=today)
    >>> [[f.code for f in found] for _passage, found in results]
    [[], ['duplicate_id']]
    """
    seen = set()
    schema = get_schema(str(options.get("version", DEFAULT_VERSION)))
    for passage in passages:
        findings = check_passage(passage, **options)
        ident = passage.get("idTechnique")
        if not _blank(ident):
            if ident in seen:
                node = schema.by_key["idTechnique"]
                rule = RULES["duplicate_id"]
                findings.append(
                    Finding(
                        BLOCKING,
                        "duplicate_id",
                        f"{node.label} ({node.ref}) est déjà utilisé par un autre passage de ce "
                        "dépôt : donnez à chaque passage un identifiant unique. "
                        f"Source : {rule.source}.",
                        field=node.key,
                        dico_id=node.dico_id,
                        passage=str(ident),
                        source=rule.source,
                    )
                )
            seen.add(ident)
        yield passage, findings


# ------------------------------------------------------------ normalising


def normalize_passage(passage, *, version=DEFAULT_VERSION):
    """A cleaned copy of ``passage``; the original is left untouched.

    Text is trimmed (blank text becomes ``None``), names are upper-cased
    keeping accents, codes lose their spaces (``2a004`` → ``2A004``,
    ``RNCP 19117`` → ``RNCP19117``), the type is RNCP/RS however typed,
    enumeration codes are upper-cased. A valid NIR is compacted, and cut to
    its 13 written characters where the schema carries it (1.1.5); there, a
    NIR that cannot be written is set aside (``None``, its fault's code in
    ``"nir_ecarte"``) when the civil status identifies the holder, so the
    passage goes out by its civil status. Unknown keys are kept. The same
    passage from any door (CSV, Odoo, a flux read back) is cleaned alike.

    >>> from accrochage.samples import make_passage
    >>> clean = normalize_passage(make_passage(prenom1=" élodie ", code="rncp 35726 "))
    >>> clean["prenom1"], clean["code"]
    ('ÉLODIE', 'RNCP35726')
    >>> normalize_passage({"nir": "2 90 05 69 123 045 60"}, version="1.1.5")["nir"]
    '2900569123045'
    >>> wrong = normalize_passage(make_passage(nir="2 90 05 69 123 045 61"), version="1.1.5")
    >>> wrong["nir"], wrong["nir_ecarte"]
    (None, 'nir_checksum')
    """
    plan = _PLANS.get(version) or _plan(str(version))
    result = plan.normalize(passage)
    items = result.get(plan.items.key)
    if items is not None and isinstance(items, (list, tuple)):
        item_cleaners = plan.item_cleaners
        result[plan.items.key] = [
            {
                k: item_cleaners[k](v) if k in item_cleaners and isinstance(v, str) else v
                for k, v in item.items()
            }
            if isinstance(item, dict)
            else item
            for item in items
        ]
    nir = result.get(NIR)
    if nir is not None and not _blank(nir):
        _normalize_nir(plan, result, nir)
    return result


def _normalize_nir(plan, result, nir):
    node = plan.nir_node
    fault = _nir_fault(nir, node)
    if fault is None:
        result[NIR] = nir_number.to_13(nir) if node is not None else nir_number.compact(nir)
        return
    if node is None:
        return  # 1.1.2 writes no NIR: the rules warn about it, kept as given
    for index, choice in enumerate(plan.choices):
        if choice.national is not None and not plan._nir_counts(result, index):
            result[NIR] = None
            result[NIR_SET_ASIDE] = fault
