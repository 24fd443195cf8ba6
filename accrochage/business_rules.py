"""The pre-send rules beyond the XSD, each with the document it comes from.

Every rule takes the check context of :mod:`accrochage.rules` (the
passage, its shape, the options) and returns its findings; the rulebook
(:mod:`accrochage.rulebook`) grades them. :func:`business` runs them all,
in order, each behind an inline test of the usual valid passage; the rule
functions themselves (:data:`RULE_FUNCTIONS`) are the reference.

>>> import datetime
>>> from accrochage.samples import make_passage
>>> from accrochage.rules import check_business
>>> [f.code for f in check_business(make_passage(donneeCertifiee=False),
...                                 today=datetime.date(2026, 11, 2))]
['provisional_result']
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

from . import birth, cpf_file, insee
from . import certification_code as certification
from . import deadline as legal_deadline
from . import nir as nir_number
from .dictionary import Enum
from .dictionary.v1_1_2 import DIGCOMP_AREAS
from .exceptions import VALUE_ERRORS
from .findings import BLOCKING, WARNING
from .rule_plan import NIR, NIR_SET_ASIDE, _as_date, _as_int, _blank, _given, _nir_fault

#: meta key: False for a candidate who was not admitted (never transmitted)
ADMITTED = "admis"


def _block(node):
    """How a message names another field or block: « label » (#5.13 name)."""
    if node.is_leaf:
        return f"« {node.label} » ({node.ref})"
    return f"« {node.label} » (bloc {node.dico_id})" if node.dico_id else f"« {node.label} »"


def _date_order_rule(start_key, end_key, code):
    def rule(ctx):
        """An end before its start: the CDC rejects the passage ("La date de
        fin de validité est inférieure à date de début de validité", receipt
        guide V3 p.5, which also covers the exam dates)."""
        get, active = ctx.get, ctx.active_keys
        end, start = get(end_key), get(start_key)
        if end is None or start is None or end_key not in active or start_key not in active:
            return []
        if start.__class__ is not datetime.date or end.__class__ is not datetime.date:
            start, end = _as_date(start), _as_date(end)
        if not (start and end and end < start):
            return []
        return [
            ctx.finding(
                ctx.node(end_key),
                code,
                f"est antérieure à {_block(ctx.node(start_key))} et la Caisse des Dépôts "
                "rejette ce passage : corrigez l'une des deux dates.",
            )
        ]

    rule.__name__ = "_" + code
    return rule


_exam_dates_order = _date_order_rule("dateDebutExamen", "dateFinExamen", "exam_dates_order")
_validity_dates_order = _date_order_rule(
    "dateDebutValidite", "dateFinValidite", "validity_dates_order"
)


def _birthplace(ctx):
    """Birthplace (NC5 V22 #8.10, #8.13; template v1.4 sheet Communes).

    Asks of the dictionary, none enforced by the CDC: a commune code (99100
    is France as a country), 2A/2B for Corsica, the country's 3 digits in
    #8.13 for a birth abroad and nothing there for a birth in France.
    """
    active = ctx.active_keys
    if "codeInsee" not in active:
        if "codePostal" in active and _blank(ctx.get("codePostal")):
            return [
                ctx.finding(
                    ctx.node("codeInsee"),
                    "birthplace_unknown",
                    "manque, comme le code postal de naissance : renseignez le code INSEE de "
                    "la commune de naissance (99XXX à l'étranger), sans quoi le titulaire "
                    "risque de ne pas être reconnu.",
                )
            ]
        return []
    code = ctx.get("codeInsee")
    if code.__class__ is not str:
        return []  # blank, or the type check reports it
    given = ctx.get("codePaysNaissance")
    if given is not None and given.__class__ is not str:
        given = str(given) if isinstance(given, int) else None
    problems = _birthplace_problems(code, given)
    if not problems:
        return []
    return [ctx.finding(ctx.node(key), rule, message) for rule, key, message in problems]


@lru_cache(maxsize=8192)
def _birthplace_problems(code, given):
    if len(code) != 5 or code.isspace():
        return ()  # the length check reports it
    problems = []
    compact = insee.compact(code)
    if compact != code and insee.is_valid(compact):
        problems.append(
            (
                "normal_form",
                "codeInsee",
                f"s'écrit « {compact} » (sans espace, en majuscules) : corrigez-le ; "
                "accrochage build le corrige de lui-même.",
            )
        )
    try:
        kind = insee.kind(compact)
    except VALUE_ERRORS as error:
        return ((error.code, "codeInsee", ": " + _lower(str(error))),)
    warnings = insee.warnings(compact)
    if warnings:
        return tuple(problems) + tuple(
            (warning.code, "codeInsee", ": " + _lower(warning.message)) for warning in warnings
        )
    country = insee.country_code(compact)
    if kind == insee.ABROAD:
        if _blank(given):
            problems.append(
                (
                    "country_code_missing",
                    "codePaysNaissance",
                    f"est attendu pour une naissance à l'étranger : indiquez {country}, "
                    f"les 3 derniers chiffres du code INSEE {compact} (#8.10 codeInsee).",
                )
            )
        elif given != country:
            problems.append(
                (
                    "country_code_mismatch",
                    "codePaysNaissance",
                    f"doit reprendre les 3 derniers chiffres du code INSEE {compact} "
                    f"(#8.10 codeInsee) : indiquez {country}.",
                )
            )
    elif not _blank(given):
        problems.append(
            (
                "country_code_france",
                "codePaysNaissance",
                "doit rester vide pour une personne née en France (#8.10 codeInsee désigne "
                "une commune française) : retirez-le.",
            )
        )
    return tuple(problems)


def _lower(text):
    return text[:1].lower() + text[1:]


def _conditional(ctx):
    """The table's ``conditions`` "si #X = V": VAE route, presence flags.

    NC5 V22 #5.12/#5.14: a presence flag says whether #5.13 / block 6 is
    filled; #7.2 is "à remplir si #7.1 = VAE" and "Facultatif", while the
    template's dictionary sheet (V.16, #7.2) says "obligatoire si 7.1 =
    VAE". The XSD enforces none of it and no guide lists a rejection: all
    are warnings, blocking in strict mode.
    """
    findings = []
    get, active, present = ctx.get, ctx.active_keys, ctx.shape.present
    for node, trigger, expected, key, is_flag in ctx.plan.conditional_plan:
        if key is None:
            given = present[node.path]
        else:
            value = get(key)
            given = value is not None and key in active and _given(value)
        if is_flag:
            flag = get(trigger.key)
            if flag is False and given:
                findings.append(
                    ctx.finding(
                        trigger,
                        "presence_flag_false",
                        f"vaut false alors que {_block(node)} est renseigné : passez-le à true, "
                        "ou retirez ces données.",
                    )
                )
            elif flag is True and not given:
                findings.append(
                    ctx.finding(
                        node,
                        "presence_flag_empty",
                        f"manque alors que {_block(trigger)} vaut true : renseignez-le, ou passez "
                        f"{trigger.ref} à false.",
                    )
                )
            continue
        actual = get(trigger.key) if trigger.key in active else None
        if actual == expected and not given:
            choices = ""
            if isinstance(node.value, Enum):
                choices = " : renseignez " + " ou ".join(node.value.values)
            findings.append(
                ctx.finding(
                    node,
                    "conditional_missing",
                    f"manque alors que {_block(trigger)} vaut {expected}{choices}.",
                )
            )
        elif given and actual != expected:
            findings.append(
                ctx.finding(
                    node,
                    "conditional_unexpected",
                    f"ne sert que si {_block(trigger)} vaut {expected} : retirez cette donnée, "
                    f"ou corrigez {trigger.ref}.",
                )
            )
    return findings


_AREAS = {area: count for area, _label, count in DIGCOMP_AREAS}


def _digcomp(ctx):
    """DigComp results (NC5 V22 block 6, #6.3, #6.4): each area 1-5 and a
    competence of that area; the XSD only says "one character"."""
    items = ctx.get("resultats")
    if items is None or not isinstance(items, (list, tuple)):
        return []
    findings = []
    if items and _blank(ctx.passage.get("scoreGeneral")):
        findings.append(
            ctx.finding(
                ctx.node("scoreGeneral"),
                "digcomp_score_missing",
                "devrait accompagner les résultats DigComp : renseignez-le s'il est connu.",
            )
        )
    for number, item in enumerate(items, 1):
        if isinstance(item, dict):
            findings.extend(_digcomp_item(ctx, number, item))
    return findings


def _digcomp_item(ctx, number, item):
    area, competence = item.get("domaineCompetenceId"), item.get("competenceId")
    area = str(area) if isinstance(area, int) and not isinstance(area, bool) else area
    prefix = f"(résultat n° {number}) "
    area_node, competence_node = ctx.node("domaineCompetenceId"), ctx.node("competenceId")
    if _blank(area) or _blank(competence):
        missing = area_node if _blank(area) else competence_node
        return [
            ctx.finding(
                missing,
                "digcomp_result_incomplete",
                prefix + "manque : le dictionnaire demande le domaine et la compétence de chaque "
                "compétence DigComp validée ; renseignez-le.",
            )
        ]
    if area not in _AREAS:
        return [
            ctx.finding(
                area_node,
                "digcomp_area",
                prefix + f"doit être un domaine DigComp de 1 à {len(_AREAS)} : corrigez-le.",
            )
        ]
    count = _AREAS[area]
    competence = str(competence)
    # ASCII digits only: "²" is a digit for str.isdigit(), not for int()
    if not (competence.isascii() and competence.isdigit()) or not 1 <= int(competence) <= count:
        return [
            ctx.finding(
                competence_node,
                "digcomp_competence",
                prefix + f"doit être une compétence de 1 à {count}, car le domaine {area} "
                f"en compte {count} : corrigez la compétence ou le domaine.",
            )
        ]
    return []


def _certification(ctx):
    """Type and code (receipt guide V3 p.3: an unknown or misspelt code, or
    one that does not match the type, makes the passage KO)."""
    get = ctx.get
    kind, code = get("type"), get("code")
    if kind.__class__ is str and code.__class__ is str:
        problems = _certification_problems(kind, code)
        if not problems:
            return []
    elif _blank(kind) or _blank(code):
        return []
    else:
        problems = _certification_problems.__wrapped__(str(kind), str(code))
    return [ctx.finding(ctx.node(key), rule, message) for rule, key, message in problems]


@lru_cache(maxsize=1024)
def _certification_problems(kind, code):
    problems = []
    type_ok = code_ok = True
    try:
        compact_type = certification.validate_type(kind, code)
    except VALUE_ERRORS as error:
        problems.append((error.code, "type", ": " + _lower(str(error))))
        type_ok = False
    else:
        if compact_type != kind:
            problems.append(
                (
                    "certification_type",
                    "type",
                    f"« {kind} » s'écrit {compact_type} : corrigez-le ; la Caisse des Dépôts "
                    "compare le type au code.",
                )
            )
            type_ok = False
    try:
        compact_code = certification.validate(code)
    except VALUE_ERRORS as error:
        problems.append((error.code, "code", ": " + _lower(str(error))))
        code_ok = False
    else:
        if compact_code != code:
            problems.append(
                (
                    "certification_code_format",
                    "code",
                    f"« {code} » s'écrit {compact_code} (sans espace, en majuscules) : "
                    "corrigez-le ; la Caisse des Dépôts rejette un code mal orthographié.",
                )
            )
            code_ok = False
    if type_ok and code_ok:
        try:
            certification.validate_pair(kind, code)
        except VALUE_ERRORS as error:
            problems.append((error.code, "type", ": " + _lower(str(error))))
    return tuple(problems)


def _admitted(ctx):
    """Only admitted candidates are transmitted (general guide V5 §2.4)."""
    if ctx.get(ADMITTED) is False:
        return [
            ctx.plain_finding(
                "not_admitted",
                "Seuls les candidats admis sont transmis à la Caisse des Dépôts : "
                "retirez ce passage du dépôt.",
                ADMITTED,
            )
        ]
    return []


_LAST_YEAR = 2099  # the XSD's last year (anneeNaissance 1900-2099)


def _birth_date(ctx):
    """A birth date that cannot be true blocks, an odd one warns
    (:mod:`accrochage.birth`; NC5 V22 #8.6-#8.8; the CDC matches on the
    birth year, then on month and day: receipt guide V3 p.4)."""
    if "anneeNaissance" not in ctx.active_keys:
        return []
    get = ctx.get
    year = get("anneeNaissance")
    if year.__class__ is not int:
        year = _as_int(year) if year is not None else None
    if year is None or not birth.FIRST_YEAR <= year <= _LAST_YEAR:
        return []  # the XSD range reports it
    month, day, award = get("moisNaissance"), get("jourNaissance"), get("dateDebutValidite")
    if month.__class__ is not int:
        month = _as_int(month) if month is not None else None
    if day.__class__ is not int:
        day = _as_int(day) if day is not None else None
    if award is not None and award.__class__ is not datetime.date:
        award = _as_date(award)
    problems = birth.problems(year, month, day, today=ctx.today, award=award)
    if not problems:
        return []
    return [ctx.finding(ctx.node(key), code, fragment) for code, key, fragment in problems]


@lru_cache(maxsize=1024)
def _deadline_status(award, today, warn_days):
    return legal_deadline.deadline_status(award, today, warn_days)


def _award(ctx):
    """The legal deadline: 3 months after the award (general guide V5 §2.8)."""
    award = ctx.get("dateDebutValidite")
    if award is None:
        return []
    if award.__class__ is not datetime.date:
        award = _as_date(award)
        if award is None:
            return []
    node = ctx.node("dateDebutValidite")
    if award > ctx.today:
        return [
            ctx.finding(
                node,
                "award_in_future",
                "est dans le futur : un passage se transmet une fois la certification "
                "délivrée ; vérifiez la date.",
            )
        ]
    status = _deadline_status(award, ctx.today, ctx.warn_days)
    if status == legal_deadline.OK:
        return []
    last_day = legal_deadline.deadline(award).strftime("%d/%m/%Y")
    months = legal_deadline.DELAY_MONTHS
    if status == legal_deadline.SOON:
        return [
            ctx.finding(
                node,
                "deadline_soon",
                f"ouvre un délai légal de transmission de {months} mois qui expire le "
                f"{last_day} : déposez ce passage avant cette date.",
            )
        ]
    return [
        ctx.finding(
            node,
            "deadline_overdue",
            f"ouvrait un délai légal de transmission de {months} mois, dépassé depuis le "
            f"{last_day} : déposez ce passage sans attendre (le dépôt reste obligatoire).",
        )
    ]


def _scoring(ctx):
    """PAR_SCORING with no score and no level: general guide V5 §2.6.2 asks
    for "le score obtenu" and the European levels when a certification is
    obtained by score (advice: the XSD takes nil)."""
    if ctx.get("obtentionCertification") != "PAR_SCORING":
        return []
    if _given(ctx.value("scoring")) or _given(ctx.value("niveauLangueEuropeen")):
        return []
    if ctx.shape.present[ctx.plan.digital_path]:
        return []  # a DigComp block is given
    return [
        ctx.finding(
            ctx.node("scoring"),
            "scoring_without_score",
            "est vide alors que la certification est obtenue par scoring (#5.4) : renseignez "
            "le score obtenu ou la base de notation, ou un niveau européen (#5.13, bloc 6), "
            "s'il est connu.",
        )
    ]


def _provisional(ctx):
    """``donneeCertifiee=false`` (NC5 V22 #5.5): a provisional result, which
    the CDC cannot update yet (general guide V5 §4.4.3: "pas encore disponible")."""
    if ctx.get("donneeCertifiee") is not False:
        return []
    return [
        ctx.finding(
            ctx.node("donneeCertifiee"),
            "provisional_result",
            "vaut false : le résultat est transmis comme provisoire, et la Caisse des Dépôts "
            "ne permet pas encore de le mettre à jour par un nouvel envoi ; vérifiez-le, et "
            "transmettez-le de préférence une fois définitif (true), dans le délai de 3 mois.",
        )
    ]


def _cpf_file(ctx):
    """A CPF file number with letters (template v1.4, sheet V.16, #9.1: numeric)."""
    number = ctx.get(cpf_file.FIELD)
    if number is None or number.__class__ is not str or _blank(number):
        return []
    if cpf_file.FIELD not in ctx.active_keys:
        return []
    if number.isdigit() and number.isascii() and len(number) <= cpf_file.MAX_LENGTH:
        return []
    return [
        ctx.finding(
            ctx.node(cpf_file.FIELD),
            "cpf_file_format",
            "n'est pas numérique : un numéro de dossier CPF (EDOF) ne compte que des chiffres ; "
            "vérifiez qu'il s'agit bien du numéro du dossier de formation, ou identifiez le "
            "titulaire par son état civil (bloc 8).",
        )
    ]


def _proof_url(ctx):
    """``urlPreuve`` (NC5 V22 #5.2): "Ce lien doit être durable et vérifié"."""
    url = ctx.get("urlPreuve")
    if url is None or url.__class__ is not str or _blank(url) or _is_https(url):
        return []
    return [
        ctx.finding(
            ctx.node("urlPreuve"),
            "proof_url",
            "n'est pas une adresse https (https://…) : indiquez le lien durable et vérifié "
            "vers la preuve numérique, ou retirez-le.",
        )
    ]


#: an https URL with a host name, no space (RFC 3986 authority, without user or IPv6)
_HTTPS = re.compile(r"https://[^\s/?#:@\[\]]+(?::[0-9]+)?(?:[/?#]\S*)?")


def _is_https(url):
    return _HTTPS.fullmatch(url) is not None


_NIR_FAULTS = {
    "nir_type": "ce n'est pas un texte",
    "nir_length": "il n'a ni 13 ni 15 caractères",
    "nir_format": "il contient d'autres caractères que des chiffres",
    "nir_checksum": "sa clé ne correspond pas",
    "nir_sex_digit": "son premier chiffre est impossible",
    "nir_provisional": "c'est un numéro provisoire",
    "pattern": "le schéma n'en accepte pas la forme",
}


def _nir_findings(ctx, value):
    """Key, format and provisional checks; blocking only where the NIR is written."""
    written = NIR in ctx.active_keys
    severity = BLOCKING if written else WARNING
    node = ctx.plan.nir_node

    def finding(code, message):
        if node is not None:
            return ctx.finding(node, code, message, severity=severity)
        text = message.removeprefix(": ")
        return ctx.plain_finding(code, text[:1].upper() + text[1:], NIR, severity=severity)

    if not isinstance(value, str):
        return [finding("nir_type", ": saisissez le NIR comme un texte de 13 ou 15 caractères.")]
    try:
        nir_number.to_13(value)
    except VALUE_ERRORS as error:
        return [finding(error.code, ": " + _lower(str(error)))]
    for warning in nir_number.warnings(value):
        return [finding(warning.code, ": " + _lower(warning.message))]
    return []


def _nir(ctx):
    """The NIR outside its branch (warnings), a NIR set aside, and its
    coherence with the civil status (INSEE's composition of the NIR: sex,
    year, month, department; only what cannot be valid is reported)."""
    get = ctx.get
    value, node = get(NIR), ctx.plan.nir_node
    if _blank(value) or get(NIR_SET_ASIDE) is not None:
        return []  # nothing, or set aside by normalize_passage (reported once)
    findings = []
    if node is not None and NIR not in ctx.active_keys:
        fault = _nir_fault(value, node)  # not normalised: the branch was not chosen
        if fault is not None:
            return [_set_aside(ctx, node, fault)]
    # where the NIR is written, the leaf check has reported its problems
    if NIR not in ctx.active_keys:
        findings = _nir_findings(ctx, value)
    if not isinstance(value, str) or _nir_fault(value, None) is not None:
        return findings
    code_insee = ctx.passage.get("codeInsee")
    problems = nir_number.coherence(
        value,
        sexe=ctx.passage.get("sexe"),
        annee=_as_int(ctx.passage.get("anneeNaissance")),
        mois=_as_int(ctx.passage.get("moisNaissance")),
        code_insee=code_insee if isinstance(code_insee, str) else None,
    )
    findings.extend(
        ctx.finding(ctx.node(key), "nir_mismatch", message) for key, message in problems
    )
    return findings


#: every business rule in order, with the fact it needs: a rule whose fact
#: is absent (None) cannot fire and is not called (it checks again anyway)
def _set_aside(ctx, node, fault):
    return ctx.finding(
        node,
        "nir_set_aside",
        f"n'est pas transmis ({_NIR_FAULTS.get(fault, 'il est invalide')}) : le passage "
        "est transmis par l'état civil (bloc 8), qui est complet ; corrigez le NIR sur "
        "la fiche du titulaire.",
    )


def _nir_set_aside(ctx):
    """A NIR that :func:`normalize_passage` set aside (its fault's code only)."""
    node, fault = ctx.plan.nir_node, ctx.get(NIR_SET_ASIDE)
    return [_set_aside(ctx, node, fault)] if node is not None and fault is not None else []


#: every business rule, in the order of its findings: the reference
RULE_FUNCTIONS = _RULES = (
    _admitted,
    _certification,
    _exam_dates_order,
    _validity_dates_order,
    _conditional,
    _digcomp,
    _birthplace,
    _birth_date,
    _nir_set_aside,
    _nir,
    _award,
    _scoring,
    _provisional,
    _cpf_file,
    _proof_url,
)

#: days of each month (February without its 29th: the rule decides that one)
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
#: what the rules found nothing to say about, learnt as passages go
#: (bounded): a valid certification code and its type; an INSEE code and
#: the country code that goes with it
_QUIET_CERTIFICATIONS = {}
_QUIET_BIRTHPLACES = {}
_QUIET_SIZE = 4096
_UNSET = object()


def _award_ok_from(today, warn_days):
    """The first award date whose deadline is neither close nor passed.

    The deadline grows with the award date, so every later award up to
    today is in time. Computed once per (today, warn_days).
    """
    last = _AWARD_OK_FROM
    if last[0] == today and last[1] == warn_days:
        return last[2]
    day = today - datetime.timedelta(days=130)
    while day < today and _deadline_status(day, today, warn_days) != legal_deadline.OK:
        day += datetime.timedelta(days=1)
    last[:] = [today, warn_days, day]
    return day


_AWARD_OK_FROM = [None, None, None]


def _run(rule, ctx, findings):
    found = rule(ctx)
    if found:
        findings.extend(found)
    return found


def business(ctx, findings):
    """Every rule of :data:`RULE_FUNCTIONS`, in order, with the same findings.

    Before each rule, an inline test recognises the usual valid passage
    (dates in order, a known code, an adult born in the past…); only when
    it fails is the rule called, which checks everything again and says
    what is wrong. The tests run both ways on the same passages.
    """
    get, active = ctx.get, ctx.active_keys
    if get(ADMITTED) is False:
        _run(_admitted, ctx, findings)
    code = get("code")
    if code is not None and (
        code.__class__ is not str or _QUIET_CERTIFICATIONS.get(code) != get("type")
    ):
        _learn(_certification, ctx, findings, _QUIET_CERTIFICATIONS, code, get("type"))
    for rule, start_key, end_key in _ORDERED_DATES:
        end = get(end_key)
        if end is not None:
            start = get(start_key)
            if not (end.__class__ is start.__class__ is datetime.date and start <= end):
                _run(rule, ctx, findings)
    if not ctx.plan.conditionals_quiet(get, active, ctx.shape.present):
        _run(_conditional, ctx, findings)
    if get("resultats"):  # an empty list has nothing to check
        _run(_digcomp, ctx, findings)
    insee_code, country = get("codeInsee"), get("codePaysNaissance")
    if (
        insee_code.__class__ is not str
        or "codeInsee" not in active
        or _QUIET_BIRTHPLACES.get(insee_code, _UNSET) != country
    ):
        known = insee_code if "codeInsee" in active else None
        _learn(_birthplace, ctx, findings, _QUIET_BIRTHPLACES, known, country)
    if not _usual_birth_date(get, ctx.today):
        _run(_birth_date, ctx, findings)
    return _business_tail(ctx, get, findings)


def _learn(rule, ctx, findings, quiet, key, value):
    """Run ``rule``; remember ``key`` → ``value`` when it found nothing."""
    if not _run(rule, ctx, findings) and key.__class__ is str:
        if (value is None or value.__class__ is str) and len(quiet) < _QUIET_SIZE:
            quiet[key] = value


def _usual_birth_date(get, today):
    """An adult (14 or more at the award) born on a day that exists, before this year."""
    year, award = get("anneeNaissance"), get("dateDebutValidite")
    if not (
        year.__class__ is int
        and award.__class__ is datetime.date
        and 1900 <= year < today.year
        and year + birth.MIN_AGE + 1 <= award.year
    ):
        return False
    month, day = get("moisNaissance"), get("jourNaissance")
    if month is None or day is None:
        return True
    return (
        month.__class__ is int
        and day.__class__ is int
        and 1 <= month <= 12
        and 1 <= day <= _MONTH_DAYS[month]
    )


def _business_tail(ctx, get, findings):
    if get(NIR_SET_ASIDE) is not None:
        _run(_nir_set_aside, ctx, findings)
    if get(NIR) is not None:
        _run(_nir, ctx, findings)
    award = get("dateDebutValidite")
    if award is not None and not (
        award.__class__ is datetime.date
        and _award_ok_from(ctx.today, ctx.warn_days) <= award <= ctx.today
    ):
        _run(_award, ctx, findings)
    if get("obtentionCertification") == "PAR_SCORING":
        _run(_scoring, ctx, findings)
    if get("donneeCertifiee") is False:
        _run(_provisional, ctx, findings)
    number = get(cpf_file.FIELD)
    if number is not None and not (
        number.__class__ is str
        and number.isdigit()
        and number.isascii()
        and len(number) <= cpf_file.MAX_LENGTH
    ):
        _run(_cpf_file, ctx, findings)
    url = get("urlPreuve")
    if url is not None and not (url.__class__ is str and _HTTPS.fullmatch(url)):
        _run(_proof_url, ctx, findings)
    return findings


_ORDERED_DATES = (
    (_exam_dates_order, "dateDebutExamen", "dateFinExamen"),
    (_validity_dates_order, "dateDebutValidite", "dateFinValidite"),
)
