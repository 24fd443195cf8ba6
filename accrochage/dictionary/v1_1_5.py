"""CDC flux, schema ``version="1.1.5"`` (kit of March 2026).

Reported, not verified (SPEC.md §2.4): the official 2026 XSD was not seen.
It is schema 1.1.2 plus two changes, so this table is 1.1.2's rows with
those changes applied; nothing else is restated:

- ``flux/action`` (CREATION | SUPPRESSION), written after ``horodatage``;
- a third way to identify the holder, ``identifiantNational``: the NIR's
  first 13 characters (never its key) and the birth name.

The dictionary ids #1.3 and #10.x are this project's: the 2026 dictionary
numbering was not seen.
"""

from . import v1_1_2
from .types import Enum, Text, group, leaf

VERSION = "1.1.5"
NAMESPACE = v1_1_2.NAMESPACE
#: said by ``accrochage schema``, ``build``, ``validate`` and in the XSD's header
NOTICE = "schéma 1.1.5 reconstitué : vérifiez-le avec --xsd et le XSD officiel"

ACTION = Enum("action", (("CREATION", "Création"), ("SUPPRESSION", "Suppression")))
# Sex digit 1 or 2, Corsica 2A/2B: provisional NIRs (7/8) are refused.
NIR13 = Text(length=13, pattern=r"[12][0-9]{4}(2[AB]|[0-9]{2})[0-9]{6}")

IDENTIFICATION = v1_1_2.PASSAGE + "/identificationTitulaire"
NATIONAL = IDENTIFICATION + "/identifiantNational"

_ACTION = leaf(
    "flux/action",
    "1.3",
    "Action",
    ACTION,
    "CREATION pour déclarer des passages, SUPPRESSION pour en retirer.",
    level="flux",
    source="XSD 1.1.5 (rapporté)",
)
_NATIONAL = (
    group(
        NATIONAL,
        "10",
        "Identifiant national (NIR)",
        source="XSD 1.1.5 (rapporté)",
    ),
    leaf(
        NATIONAL + "/nir",
        "10.1",
        "NIR (13 caractères, sans la clé)",
        NIR13,
        "Numéro d'inscription au répertoire, sans les deux chiffres de la clé.",
        personal="nir",
        source="XSD 1.1.5 (rapporté)",
    ),
    leaf(
        NATIONAL + "/nomNaissance",
        "10.2",
        "Nom de naissance",
        Text(60),
        "Nom de naissance tel qu'il figure à l'état civil.",
        dico_max_length=30,
        dico_length_source=v1_1_2.V16,
        normalize="name",
        source="XSD 1.1.5 (rapporté)",
    ),
)


def _build():
    nodes = []
    for node in v1_1_2.NODES:
        nodes.append(node)
        if node.path == "flux/horodatage":
            nodes.append(_ACTION)
        elif node.path == IDENTIFICATION:
            # first branch: a NIR identifies the holder without ambiguity
            nodes.extend(_NATIONAL)
    return tuple(nodes)


NODES = _build()
