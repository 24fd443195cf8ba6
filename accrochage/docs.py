"""The data dictionary as a French Markdown page, generated from the table.

``docs/dictionnaire-<version>.md`` is this page; ``accrochage dictionary``
prints it. Nothing in it is written by hand.

>>> from accrochage.dictionary import get_schema
>>> page = render_markdown(get_schema("1.1.2"))
>>> "| #8.1 | `nomNaissance` | Nom de naissance |" in page
True
"""

from __future__ import annotations

from pathlib import Path

from .dictionary import Enum, get_schema

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"
HEADER = (
    "<!-- Généré depuis le dictionnaire (accrochage/dictionary) par "
    "`accrochage dictionary --version {version}` : ne pas modifier à la main. -->"
)
LEVELS = {
    "flux": "généré pour chaque fichier",
    "deposit": "émetteur et certificateur",
    "certification": "certification",
    "passage": "passage",
}


def _cardinality(node):
    if node.nillable:
        return "obligatoire (nil si inconnu)"
    if not node.required:
        return "facultatif"
    return "obligatoire"


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _type(node):
    if isinstance(node.value, Enum):
        return "liste : " + ", ".join(f"`{code}`" for code in node.value.values)
    text = node.value.describe()
    if node.dico_max_length:
        text += f" ({node.dico_max_length} au plus selon le {node.dico_length_source}"
        if node.normalize == "name":
            # NC5 V22 #8.1-#8.5 and the XSD: 60; matching is on the exact name
            text += " ; un nom d'état civil se transmet entier, sans l'abréger"
        text += ")"
    return text


def field_help(node) -> str:
    """What the CDC expects in a field, in words, with its dictionary id last.

    The help text the addon shows on each field that mirrors a CDC fact.

    >>> from accrochage.dictionary import get_schema
    >>> print(field_help(get_schema().by_key["sexe"]))
    Sexe. Obligatoire ; une valeur parmi M, F. (dictionnaire CDC #8.9)
    >>> for sentence in field_help(get_schema().by_key["moisNaissance"]).split(". "):
    ...     print(sentence)
    Mois de naissance : nil s'il n'est pas connu
    Obligatoire (nil si inconnu) ; nombre entier de 1 à 12
    (dictionnaire CDC #8.7)
    """
    if node.help:
        first = node.help if node.help[:1].isupper() else f"{node.label} : {node.help}"
    else:
        first = node.label
    presence = _cardinality(node)
    if node.conditions:
        presence += " ; " + ", ".join(node.conditions)
    kind = node.value.describe() if node.is_leaf else ""
    if node.dico_max_length:
        kind += f" ({node.dico_max_length} au plus selon le dictionnaire)"
    second = presence[:1].upper() + presence[1:] + (f" ; {kind}" if kind else "")
    text = f"{first.rstrip('.')}. {second}."
    if node.dico_id:
        text += f" (dictionnaire CDC #{node.dico_id})"
    return text


def render_markdown(schema) -> str:
    """One table row per field that carries a value, in document order."""
    lines = [
        HEADER.format(version=schema.version),
        "",
        f"# Dictionnaire des données, schéma {schema.version}",
        "",
        f"Espace de noms `{schema.namespace}`. Un fichier par certificateur ; "
        "l'ordre des éléments est libre sauf dans les choix.",
        "",
        *([f"**Attention : {schema.notice}.**", ""] if schema.notice else []),
        "| Id | Balise | Libellé | Niveau | Présence | Type | Aide | Source |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for node in schema.leaves:
        lines.append(
            "| "
            + " | ".join(
                _cell(part)
                for part in (
                    f"#{node.dico_id}" if node.dico_id else "—",
                    f"`{node.name}`",
                    node.label,
                    LEVELS[node.level],
                    _cardinality(node)
                    + ("" if not node.conditions else " ; " + ", ".join(node.conditions)),
                    _type(node),
                    node.help or "",
                    node.source,
                )
            )
            + " |"
        )
    lines.append("")
    return "\n".join(lines)


RULES_HEADER = (
    "<!-- Généré depuis accrochage/rulebook.py par "
    "`python -c 'from accrochage.docs import write_docs; write_docs()'` : "
    "ne pas modifier à la main. -->"
)


def render_rules_markdown() -> str:
    """The pre-send rules: code, severity, source (:mod:`accrochage.rulebook`).

    >>> page = render_rules_markdown()
    >>> "| `conditional_missing` | avertissement (bloquant en mode strict) |" in page
    True
    """
    from .rulebook import LEVEL_LABELS, RULES

    lines = [
        RULES_HEADER,
        "",
        "# Règles avant envoi",
        "",
        "Un passage n'est écarté du dépôt que pour ce que la Caisse des Dépôts refuse : le "
        "XSD, ou un rejet qu'un de ses guides décrit. Ce qu'un document de la Caisse des "
        "Dépôts demande sans que la Caisse des Dépôts le contrôle est un avertissement, "
        "bloquant en mode strict (`--strict`, paramètre du module Odoo). Les conseils ne "
        "bloquent jamais. Chaque anomalie nomme sa source.",
        "",
        "| Code | Gravité | Source | Ce qui est signalé |",
        "| --- | --- | --- | --- |",
    ]
    for rule in RULES.values():
        lines.append(
            "| "
            + " | ".join(
                _cell(part)
                for part in (
                    f"`{rule.code}`",
                    LEVEL_LABELS[rule.level],
                    rule.source or "XSD de la version",
                    rule.summary,
                )
            )
            + " |"
        )
    lines.append("")
    return "\n".join(lines)


def docs_file(version) -> Path:
    return DOCS_DIR / f"dictionnaire-{version}.md"


RULES_FILE = DOCS_DIR / "regles.md"


def write_docs(versions=None):
    """Regenerate the checked-in pages (``docs/``)."""
    from .dictionary import VERSIONS

    for version in versions or VERSIONS:
        docs_file(version).write_text(render_markdown(get_schema(version)), encoding="utf-8")
    RULES_FILE.write_text(render_rules_markdown(), encoding="utf-8")
