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
        text += f" ({node.dico_max_length} au plus selon le dictionnaire)"
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


def docs_file(version) -> Path:
    return DOCS_DIR / f"dictionnaire-{version}.md"


def write_docs(versions=None):
    """Regenerate the checked-in pages (``docs/``)."""
    from .dictionary import VERSIONS

    for version in versions or VERSIONS:
        docs_file(version).write_text(render_markdown(get_schema(version)), encoding="utf-8")
