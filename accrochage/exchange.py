"""The partner exchange: what a partner organisation pushes to its certifier.

Partner training organisations (sous-traitance, co-délivrance) prepare and
assess candidates, but only the certifier deposits with the Caisse des
Dépôts: the partners transmit what it needs "via leurs partenaires ou
directement, selon les conventions établies" (art. L6113-8 du Code du
travail; general guide V5 §2). The CDC publishes no deposit API
(SPEC.md §4.2), so this exchange runs between the partner and the
certifier, over the certifier's own HTTPS API.

A partner sends **candidates**, each a JSON object::

    {"reference": "SES-2026-0042", "passage": {"nomNaissance": "MARTIN", ...}}

``reference`` is the partner's own id of the candidate (the upsert key: a
replayed push changes nothing); ``passage`` uses the engine's passage
layout, keyed by the CDC dictionary's fact keys (:data:`CANDIDATE_KEYS`).
Values are JSON: text, integers, booleans, dates as ``AAAA-MM-JJ`` text,
``null`` for unknown. The header facts (``idClientEmetteur``,
``idContrat``, ``natureDeposant``, …) and ``idTechnique`` are the
certifier's: a partner never sends them.

:func:`read_candidate` turns one candidate into a passage and the findings
that refuse it before anything is stored; :func:`answer` and
:func:`status_entry` build what the certifier answers, and
:func:`openapi_document` documents it all from the dictionary.

>>> result = read_candidate(
...     {"reference": "R-1", "passage": {"nomNaissance": "Martin", "anneeNaissance": "1990",
...                                      "dateDebutValidite": "2026-10-15", "idContrat": "X"}},
...     version="1.1.2")
>>> result.reference, result.passage["anneeNaissance"], result.passage["dateDebutValidite"]
('R-1', 1990, datetime.date(2026, 10, 15))
>>> [finding.code for finding in result.findings]
['certifier_key']
>>> print(result.findings[0].message)  # doctest: +ELLIPSIS
Numéro de contrat du certificateur (#3.2 idContrat) est renseigné par le certificateur ...
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from .dictionary import Boolean, Date, DateTime, Enum, Integer, Text, get_schema
from .exceptions import InvalidFormat
from .findings import BLOCKING, Finding, for_node
from .values import parser

__all__ = [
    "CANDIDATE_KEYS",
    "CERTIFIER_KEYS",
    "LABELS",
    "STATUS_LABELS",
    "Candidate",
    "answer",
    "openapi_document",
    "response_schemas",
    "read_candidate",
    "status_entry",
]

#: what a partner may send about a candidate: the award (block 5 and 7,
#: the certification of block 4) and the holder (block 8, 9 and the NIR)
CANDIDATE_KEYS = (
    "type",
    "code",
    "urlPreuve",
    "libelleOption",
    "obtentionCertification",
    "donneeCertifiee",
    "dateDebutExamen",
    "dateFinExamen",
    "modalitePassageExamen",
    "codePostalCentreExamen",
    "dateDebutValidite",
    "dateFinValidite",
    "niveauLangueEuropeen",
    "scoreGeneral",
    "scoring",
    "mentionValidee",
    "modaliteAcces",
    "voieAccessVAE",
    "initiativeInscription",
    "dateInscription",
    "idDossier",
    "nomNaissance",
    "nomUsage",
    "prenom1",
    "prenom2",
    "prenom3",
    "anneeNaissance",
    "moisNaissance",
    "jourNaissance",
    "sexe",
    "codeInsee",
    "codePostal",
    "libelleCommuneNaissance",
    "codePaysNaissance",
    "nir",
)
#: facts the certifier fills itself (its account, its contract, the flux)
CERTIFIER_KEYS = frozenset(
    {
        "idFlux",
        "horodatage",
        "idClientEmetteur",
        "idClientCertificateur",
        "idContrat",
        "natureDeposant",
        "idTechnique",
    }
)
#: the longest partner reference kept
MAX_REFERENCE = 64

READY, INCOMPLETE, REFUSED = "ready", "incomplete", "refused"
#: what the certifier answers about each candidate of a push
LABELS = {
    READY: "Prêt",
    INCOMPLETE: "Incomplet",
    REFUSED: "Refusé",
}
#: the CDC status of a passage read back by the partner
STATUS_LABELS = {
    "incomplete": "Incomplet",
    "ready": "Prêt",
    "exported": "Déposé, en attente de l'accusé de la CDC",
    "accepted": "Accepté par la CDC",
    "rejected": "Rejeté par la CDC",
    "withdrawing": "Retrait envoyé à la CDC",
    "withdrawn": "Retiré par le certificateur",
    "out_of_scope": "Hors du périmètre de la CDC",
}


@dataclass
class Candidate:
    """One candidate read: the partner's reference, the passage (CDC fact
    keys, typed values) and the findings that refuse it (then nothing of
    it is stored)."""

    reference: str | None
    passage: dict = field(default_factory=dict)
    findings: list = field(default_factory=list)

    @property
    def refused(self):
        return any(finding.blocking for finding in self.findings)


def _finding(code, message, **where):
    return Finding(BLOCKING, code, message, source="échange partenaire", **where)


def candidate_keys(version):
    """The fact keys of :data:`CANDIDATE_KEYS` that schema ``version`` has.

    >>> "nir" in candidate_keys("1.1.2"), "nir" in candidate_keys("1.1.5")
    (False, True)
    """
    by_key = get_schema(version).by_key
    return tuple(key for key in CANDIDATE_KEYS if key in by_key)


def read_candidate(candidate, *, version, position=None) -> Candidate:
    """Read one candidate of a push; refuse it whole on any fault.

    A candidate that is not an object, has no reference, names a key the
    partner may not send, or a value of the wrong type, is refused with a
    French finding per fault: nothing of it is kept, so nothing is lost
    silently. ``position`` (from 1) names it in messages.

    >>> [f.code for f in read_candidate([], version="1.1.2").findings]
    ['candidate_shape']
    >>> bad = read_candidate({"reference": " ", "passage": {"couleur": "bleu", "sexe": 3}},
    ...                      version="1.1.2", position=2)
    >>> [f.code for f in bad.findings]
    ['reference_missing', 'unknown_key', 'value_format']
    >>> print(bad.findings[1].message)
    Candidat n° 2 : clé « couleur » inconnue du dictionnaire de la CDC (clés admises : voir l'API).
    """
    where = f"Candidat n° {position}" if position else "Candidat"
    if not isinstance(candidate, dict) or not isinstance(candidate.get("passage", {}), dict):
        return Candidate(
            None,
            findings=[
                _finding(
                    "candidate_shape",
                    f'{where} : attendu un objet {{"reference": …, "passage": {{…}}}}.',
                    row=position,
                )
            ],
        )
    findings = []
    reference = candidate.get("reference")
    reference = reference.strip() if isinstance(reference, str) else None
    if not reference or len(reference) > MAX_REFERENCE:
        findings.append(
            _finding(
                "reference_missing",
                f"{where} : indiquez votre référence du candidat (« reference », texte de 1 à "
                f"{MAX_REFERENCE} caractères) ; elle permet de renvoyer le candidat sans doublon.",
                row=position,
            )
        )
        reference = None
    for key in sorted(set(candidate) - {"reference", "passage"}):
        findings.append(_unknown(where, key, position))
    schema = get_schema(version)
    allowed = set(candidate_keys(version))
    passage = {}
    for key, raw in (candidate.get("passage") or {}).items():
        node = schema.by_key.get(key) if isinstance(key, str) else None
        if key in CERTIFIER_KEYS and node is not None:
            findings.append(
                for_node(
                    node,
                    BLOCKING,
                    "certifier_key",
                    "est renseigné par le certificateur : retirez-le du candidat.",
                    row=position,
                    source="échange partenaire",
                )
            )
        elif node is None or key not in allowed:
            findings.append(_unknown(where, key, position))
        else:
            try:
                passage[key] = _value(node, raw)
            except InvalidFormat as error:
                findings.append(
                    Finding(
                        BLOCKING,
                        "value_format",
                        f"{where} : {error}",
                        field=node.key,
                        dico_id=node.dico_id,
                        row=position,
                        source="échange partenaire",
                    )
                )
    return Candidate(reference, passage, findings)


def _unknown(where, key, position):
    return _finding(
        "unknown_key",
        f"{where} : clé « {str(key)[:40]} » inconnue du dictionnaire de la CDC (clés admises : "
        "voir l'API).",
        row=position,
    )


def _value(node, raw):
    """A JSON value as the engine's passage holds it."""
    kind = node.value
    if raw is None:
        return None
    expected = _json_type(kind)
    if isinstance(raw, bool):
        ok = expected == "boolean"
    elif isinstance(raw, int):
        ok = expected == "integer"
    else:
        ok = isinstance(raw, str)
    if not ok:
        raise InvalidFormat(
            f"{node.label} ({node.ref}) attend une valeur JSON de type {_JSON_WORDS[expected]}.",
            field=node.key,
            dico_id=node.dico_id,
        )
    return parser(node)(raw)


_JSON_WORDS = {"boolean": "booléen", "integer": "entier", "string": "texte"}


def _json_type(kind):
    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, Integer):
        return "integer"
    return "string"


def findings_json(findings):
    """The findings as the API answers them (French message, dictionary id)."""
    keys = ("severity", "code", "message", "field", "dico_id")
    return [
        {key: getattr(finding, key) for key in keys if getattr(finding, key) is not None}
        for finding in findings
    ]


def answer(reference, status, findings=()):
    """The certifier's answer about one candidate of a push.

    >>> answer("R-1", "ready")
    {'reference': 'R-1', 'status': 'ready', 'label': 'Prêt', 'findings': []}
    """
    return {
        "reference": reference,
        "status": status,
        "label": LABELS[status],
        "findings": findings_json(findings),
    }


def status_entry(
    reference, state, *, message=None, hint=None, answered_on=None, deposit=None, deposited_on=None
):
    """What the partner reads back about one of its passages.

    >>> status_entry("R-1", "rejected", message="Titulaire inconnu", hint="Vérifiez le jour")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'reference': 'R-1', 'state': 'rejected', 'label': 'Rejeté par la CDC',
     'cdc_message': 'Titulaire inconnu', 'cdc_hint': 'Vérifiez le jour', 'cdc_date': None,
     'deposit': None, 'deposited_on': None}
    """

    def iso(value):
        return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value

    return {
        "reference": reference,
        "state": state,
        "label": STATUS_LABELS.get(state, state),
        "cdc_message": message or None,
        "cdc_hint": hint or None,
        "cdc_date": iso(answered_on) or None,
        "deposit": deposit or None,
        "deposited_on": iso(deposited_on) or None,
    }


# -- the API's documentation ----------------------------------------------------


def _property(node):
    kind = node.value
    schema = {"type": [_json_type(kind), "null"], "description": f"#{node.dico_id} {node.label}"}
    if isinstance(kind, Enum):
        schema["enum"] = [code for code, _label in kind.choices] + [None]
    elif isinstance(kind, Date):
        schema["format"] = "date"
    elif isinstance(kind, DateTime):  # pragma: no cover - no candidate key has one
        schema["format"] = "date-time"
    elif isinstance(kind, Integer):
        schema["minimum"], schema["maximum"] = kind.minimum, kind.maximum
    elif isinstance(kind, Text):
        if kind.length:
            schema["minLength"] = schema["maxLength"] = kind.length
        elif kind.max_length:
            schema["maxLength"] = kind.max_length
        if kind.pattern:
            schema["pattern"] = f"^(?:{kind.pattern})$"
    return schema


def _components(version):
    by_key = get_schema(version).by_key
    finding = {
        "type": "object",
        "properties": {
            "severity": {"type": "string", "enum": ["blocking", "warning"]},
            "code": {"type": "string"},
            "message": {"type": "string", "description": "En français : quoi corriger."},
            "field": {"type": "string", "description": "Clé du dictionnaire de la CDC."},
            "dico_id": {"type": "string", "description": "Identifiant du dictionnaire."},
        },
        "required": ["severity", "code", "message"],
    }
    return {
        "Passage": {
            "type": "object",
            "description": "Un passage dans la disposition du moteur : clés du dictionnaire "
            f"des données de la CDC (schéma {version}).",
            "properties": {key: _property(by_key[key]) for key in candidate_keys(version)},
            "additionalProperties": False,
        },
        "Candidate": {
            "type": "object",
            "properties": {
                "reference": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_REFERENCE,
                    "description": "Votre référence du candidat : renvoyer la même référence "
                    "met à jour le passage, sans doublon.",
                },
                "passage": {"$ref": "#/components/schemas/Passage"},
            },
            "required": ["reference", "passage"],
            "additionalProperties": False,
        },
        "Finding": finding,
        "CandidateAnswer": {
            "type": "object",
            "properties": {
                "reference": {"type": ["string", "null"]},
                "status": {"type": "string", "enum": list(LABELS)},
                "label": {"type": "string", "enum": list(LABELS.values())},
                "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
            },
            "required": ["reference", "status", "label", "findings"],
        },
        "StatusEntry": {
            "type": "object",
            "properties": {
                "reference": {"type": "string"},
                "state": {"type": "string", "enum": list(STATUS_LABELS)},
                "label": {"type": "string"},
                "cdc_message": {"type": ["string", "null"]},
                "cdc_hint": {"type": ["string", "null"]},
                "cdc_date": {"type": ["string", "null"], "format": "date-time"},
                "deposit": {"type": ["string", "null"]},
                "deposited_on": {"type": ["string", "null"], "format": "date-time"},
            },
            "required": ["reference", "state", "label"],
        },
        "Error": {
            "type": "object",
            "description": "Erreur d'Odoo (JSON-2) : « message » dit en français quoi faire.",
            "properties": {
                "name": {"type": "string"},
                "message": {"type": "string"},
                "arguments": {"type": "array"},
                "context": {"type": "object"},
                "debug": {"type": "string"},
            },
            "required": ["name", "message"],
        },
    }


#: how an annotation in a method's signature is documented
_ANNOTATIONS = {
    "list[dict]": {"type": "array", "items": {"$ref": "#/components/schemas/Candidate"}},
    "str | None": {
        "type": ["string", "null"],
        "pattern": r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$",
    },
}


def response_schemas():
    """{method: schema of its answer}: what :func:`answer` and :func:`status_entry` build."""
    counts = {status: {"type": "integer"} for status in LABELS}
    return {
        "partner_submit": {
            "type": "object",
            "properties": {
                "organisation": {"type": "string"},
                "received": {"type": "integer"},
                **counts,
                "candidates": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/CandidateAnswer"},
                },
            },
            "required": ["organisation", "received", *counts, "candidates"],
        },
        "partner_status": {
            "type": "object",
            "properties": {
                "organisation": {"type": "string"},
                "until": {
                    "type": "string",
                    "description": "AAAA-MM-JJ HH:MM:SS (UTC), à redonner comme « since » à "
                    "l'appel suivant.",
                },
                "passages": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/StatusEntry"},
                },
            },
            "required": ["organisation", "until", "passages"],
        },
    }


def split_docstring(docstring):
    """``(summary, description, {parameter: text})`` of a reST docstring.

    The ``:param name:`` fields document the parameters (Odoo's ``api_doc``
    reads the same fields); ``:returns:`` and ``:raises …:`` are left out.

    >>> split_docstring("Push.\\n\\nMore words.\\n\\n:param items: the\\n    items\\n:returns: x")
    ('Push.', 'More words.', {'items': 'the items'})
    """
    text = (docstring or "").strip()
    summary, _sep, rest = text.partition("\n\n")
    lines, fields, current = [], {}, None
    for line in rest.splitlines():
        stripped = line.strip()
        if stripped.startswith(":"):
            kind, _sep, body = stripped[1:].partition(":")
            words = kind.split()
            current = words[-1] if words and words[0] == "param" else ""
            if current:
                fields[current] = body.strip()
        elif current is not None and stripped and line[:1].isspace():
            if current:  # the continuation of a field
                fields[current] += " " + stripped
        else:
            current = None
            lines.append(stripped)
    return " ".join(summary.split()), " ".join(" ".join(lines).split()), fields


def openapi_document(methods, *, model, version, title, server_version="1"):
    """The OpenAPI 3.1 document of ``model``'s public ``methods``.

    ``methods``: ``(name, [(parameter, annotation, required)], docstring)``
    as read from the addon's source (``scripts/gen_openapi.py``); their
    answers are :func:`response_schemas`. Candidates are documented from
    the dictionary table of ``version``.

    >>> doc = openapi_document(
    ...     [("partner_status", [("since", "str | None", False)], "Statuts.\\n\\nDétails.")],
    ...     model="accrochage.passage", version="1.1.2", title="API")
    >>> sorted(doc["paths"]), doc["openapi"]
    (['/json/2/accrochage.passage/partner_status'], '3.1.0')
    """
    paths, responses = {}, response_schemas()
    for name, parameters, docstring in methods:
        summary, description, fields = split_docstring(docstring)
        body = {
            "type": "object",
            "properties": {
                parameter: {
                    **_ANNOTATIONS.get(annotation, {"type": "string"}),
                    **({"description": fields[parameter]} if parameter in fields else {}),
                }
                for parameter, annotation, _required in parameters
            },
            "required": [parameter for parameter, _annotation, required in parameters if required],
            "additionalProperties": False,
        }
        body["properties"]["context"] = {
            "type": "object",
            "description": 'Contexte Odoo facultatif (par exemple {"lang": "fr_FR"}).',
        }
        error = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        }
        paths[f"/json/2/{model}/{name}"] = {
            "post": {
                "operationId": name,
                "summary": summary,
                "description": description,
                "security": [{"apiKey": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": body}},
                },
                "responses": {
                    "200": {
                        "description": "Réponse de la méthode.",
                        "content": {"application/json": {"schema": responses[name]}},
                    },
                    "400": {"description": "Corps qui n'est pas du JSON valide.", **error},
                    "401": {"description": "Clé d'API inconnue, révoquée ou expirée.", **error},
                    "403": {"description": "Accès refusé (droits de l'utilisateur).", **error},
                    "422": {
                        "description": "Demande refusée en entier (trop volumineuse, trop de "
                        "candidats, aucune organisation partenaire active) : voir « message ».",
                        **error,
                    },
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": server_version,
            "description": "Généré par scripts/gen_openapi.py depuis les signatures des "
            "méthodes et le dictionnaire des données de la CDC : ne pas modifier à la main.",
        },
        "paths": paths,
        "components": {
            "schemas": _components(version),
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Clé d'API Odoo de l'utilisateur technique de l'organisation "
                    "partenaire (créée par le certificateur).",
                }
            },
        },
    }
