"""Every pre-send rule: its code, how hard it is, and which document asks for it.

A finding blocks a passage only when the CDC would refuse it: the official
XSD, or a rejection a CDC guide documents (receipt guide V3). A rule that
only a CDC document *asks for* (the data dictionary NC5 V22, the template's
older dictionary sheet V.16, the general guide) but that the CDC does not
enforce is a warning, and blocking in strict mode (``check_passage(...,
strict=True)``, ``--strict``, the addon's setting). Advice (plausibility,
deadlines, what the guides imply) is never blocking. Two exceptions, both
values that cannot be true civil status: a birth date in the future and a
day that does not exist in its month block everywhere (issue "checked where
it is typed"); and a candidate who was not admitted is never transmitted
(general guide V5 §2.4: "Seules les données des candidats admis").

``docs/regles.md`` is generated from :data:`RULES`.

>>> RULES["conditional_missing"].level
'strict'
>>> severity("conditional_missing", strict=False), severity("conditional_missing", strict=True)
('warning', 'blocking')
>>> severity("exam_dates_order", strict=False)
'blocking'
"""

from __future__ import annotations

from dataclasses import dataclass

from .findings import BLOCKING, WARNING

#: the CDC refuses it: always blocking
BLOCKS = "bloquant"
#: a CDC document asks for it, the CDC does not enforce it: blocking in strict mode
STRICT = "strict"
#: advice: never blocking
ADVICE = "avertissement"
#: the NIR: blocking where it identifies the holder (schema 1.1.5), advice elsewhere
WHERE_WRITTEN = "selon la branche"

LEVEL_LABELS = {
    BLOCKS: "bloquant",
    STRICT: "avertissement (bloquant en mode strict)",
    ADVICE: "avertissement",
    WHERE_WRITTEN: "bloquant si le NIR identifie le titulaire (1.1.5), avertissement sinon",
}

# sources, as the messages and the docs name them
XSD = None  # the XSD of the schema version (the node's own source)
DICO = "dictionnaire NC5 V22"
TEMPLATE = "modèle Excel v1.4, feuille Dictionnaire V.16"
GUIDE = "guide général V5"
RECEIPT = "guide de l'accusé de traitement V3"
XML_ERRORS = "guide de résolution des erreurs XML V4"
NIR_KEY = "INSEE, composition et clé du NIR"


@dataclass(frozen=True)
class Rule:
    code: str
    level: str
    source: str | None
    summary: str


def _rules(*rows):
    return {row[0]: Rule(*row) for row in rows}


RULES = _rules(
    # -- the XSD of the version, facet by facet
    ("required", BLOCKS, XSD, "Donnée obligatoire absente."),
    ("type", BLOCKS, XSD, "Valeur d'un autre type que celui du schéma (texte, nombre, date…)."),
    ("range", BLOCKS, XSD, "Nombre hors de l'intervalle du schéma."),
    ("date", BLOCKS, XSD, "Date qui n'existe pas ou hors 1900-2099."),
    ("enum", BLOCKS, XSD, "Code hors de la liste du schéma."),
    ("length", BLOCKS, XSD, "Texte qui n'a pas la longueur exacte du schéma."),
    ("max_length", BLOCKS, XSD, "Texte plus long que le schéma ne l'accepte."),
    ("pattern", BLOCKS, XSD, "Texte qui n'a pas le format du schéma."),
    (
        "characters",
        BLOCKS,
        XML_ERRORS + " §3.2 (XML 1.0)",
        "Caractère de contrôle interdit en XML.",
    ),
    ("choice_missing", BLOCKS, XSD, "Aucun mode d'identification du titulaire."),
    ("branch_ignored", ADVICE, XSD, "Deux modes exclusifs renseignés : un seul est transmis."),
    ("unknown_key", ADVICE, XSD, "Donnée d'un résultat DigComp que le schéma ne connaît pas."),
    (
        "dico_length",
        ADVICE,
        TEMPLATE,
        "Texte plus long que la limite d'un dictionnaire (30/20/40) mais accepté par le XSD "
        "(60) ; bloquant avec --short-lengths. Un nom d'état civil ne s'abrège jamais.",
    ),
    # -- rejections the CDC documents
    ("not_admitted", BLOCKS, GUIDE + " §2.4", "Candidat non admis : jamais transmis."),
    (
        "certification_type",
        BLOCKS,
        RECEIPT + " p.3 ; " + GUIDE + " §2.5",
        "Type autre que RNCP ou RS (la Caisse des Dépôts ne reçoit que ces certifications).",
    ),
    (
        "certification_code_format",
        BLOCKS,
        RECEIPT + " p.3",
        "Code de certification mal orthographié (RNCP35726, RS5875).",
    ),
    ("certification_mismatch", BLOCKS, RECEIPT + " p.3", "Code et type ne concordent pas."),
    (
        "exam_dates_order",
        BLOCKS,
        RECEIPT + " p.5",
        "Fin d'examen antérieure à son début.",
    ),
    (
        "validity_dates_order",
        BLOCKS,
        RECEIPT + " p.5",
        "Fin de validité antérieure à la délivrance.",
    ),
    (
        "duplicate_id",
        BLOCKS,
        RECEIPT + " p.3 (doublons)",
        "Identifiant technique répété : le second titulaire ne serait pas enregistré.",
    ),
    (
        "birth_in_future",
        BLOCKS,
        DICO + " #8.6-8.8 ; " + RECEIPT + " p.4",
        "Naissance dans le futur : valeur impossible, le rapprochement sur l'année échoue.",
    ),
    (
        "birth_date_invalid",
        BLOCKS,
        DICO + " #8.7-8.8 ; " + RECEIPT + " p.4",
        "Jour qui n'existe pas dans son mois (31 avril, 29 février hors bissextile).",
    ),
    # -- what a CDC document asks for and the CDC does not enforce
    (
        "conditional_missing",
        STRICT,
        TEMPLATE + " #7.2 (facultatif selon le " + DICO + " #7.2)",
        "Modalité VAE sans voie d'accès VAE.",
    ),
    (
        "conditional_unexpected",
        STRICT,
        DICO + " #7.2 (à remplir si #7.1 = VAE)",
        "Voie d'accès VAE sans modalité VAE.",
    ),
    (
        "presence_flag_false",
        STRICT,
        DICO + " #5.12, #5.14",
        "Indicateur de présence à false alors que la donnée est renseignée.",
    ),
    (
        "presence_flag_empty",
        STRICT,
        DICO + " #5.12, #5.14",
        "Indicateur de présence à true sans la donnée.",
    ),
    ("digcomp_area", STRICT, DICO + " #6.3", "Domaine DigComp hors 1-5."),
    ("digcomp_competence", STRICT, DICO + " #6.4", "Compétence hors de son domaine DigComp."),
    (
        "insee_format",
        STRICT,
        DICO + " #8.10",
        "Code INSEE qui n'a pas la forme d'un code de commune ou de pays.",
    ),
    (
        "insee_france_country",
        STRICT,
        DICO + " #8.10",
        "99100 (la France comme pays) au lieu du code de la commune.",
    ),
    (
        "insee_corsica_1976",
        STRICT,
        "modèle Excel v1.4, feuille Communes (code officiel géographique)",
        "Code corse d'avant 1976 (20XXX) au lieu de 2A/2B.",
    ),
    (
        "normal_form",
        STRICT,
        "code officiel géographique de l'INSEE",
        "Code en minuscules ou avec des espaces (build le corrige de lui-même).",
    ),
    (
        "country_code_missing",
        STRICT,
        DICO + " #8.10, #8.13",
        "Naissance à l'étranger sans le code pays (#8.13).",
    ),
    (
        "country_code_mismatch",
        STRICT,
        DICO + " #8.10, #8.13",
        "Code pays (#8.13) différent des 3 derniers chiffres du code INSEE 99XXX.",
    ),
    (
        "country_code_france",
        STRICT,
        DICO + " #8.13",
        "Code pays renseigné pour une naissance en France.",
    ),
    # -- advice
    (
        "birthplace_unknown",
        ADVICE,
        RECEIPT + " p.4",
        "Ni code INSEE ni code postal de naissance : le rapprochement peut échouer.",
    ),
    (
        "digcomp_score_missing",
        ADVICE,
        DICO + " bloc 6",
        "Résultats DigComp sans score général (#6.1).",
    ),
    (
        "digcomp_result_incomplete",
        ADVICE,
        DICO + " #6.3, #6.4",
        "Résultat DigComp sans domaine ou sans compétence.",
    ),
    (
        "scoring_without_score",
        ADVICE,
        GUIDE + " §2.6.2",
        "Obtention par scoring sans score (#5.15) ni niveau européen (#5.13, bloc 6).",
    ),
    (
        "provisional_result",
        ADVICE,
        DICO + " #5.5 ; " + GUIDE + " §4.4.3",
        "Résultat provisoire (donneeCertifiee = false) : il ne pourra pas être mis à jour.",
    ),
    (
        "cpf_file_format",
        ADVICE,
        TEMPLATE + " #9.1 (numérique)",
        "Numéro de dossier CPF qui n'est pas numérique.",
    ),
    (
        "proof_url",
        ADVICE,
        DICO + " #5.2 (lien durable et vérifié)",
        "Lien de preuve qui n'est pas une adresse https.",
    ),
    (
        "holder_too_young",
        ADVICE,
        DICO + " #8.6",
        "Titulaire de moins de 14 ans à la délivrance.",
    ),
    (
        "award_in_future",
        ADVICE,
        GUIDE + " §2.8",
        "Date de délivrance dans le futur.",
    ),
    (
        "deadline_soon",
        ADVICE,
        GUIDE + " §2.8 (art. R6113-17-2)",
        "Délai légal de 3 mois bientôt atteint.",
    ),
    (
        "deadline_overdue",
        ADVICE,
        GUIDE + " §2.8 (art. R6113-17-2)",
        "Délai légal de 3 mois dépassé (le dépôt reste obligatoire).",
    ),
    # -- the NIR
    ("nir_type", WHERE_WRITTEN, NIR_KEY, "NIR qui n'est pas un texte."),
    ("nir_length", WHERE_WRITTEN, NIR_KEY, "NIR de la mauvaise longueur."),
    (
        "nir_format",
        WHERE_WRITTEN,
        NIR_KEY,
        "NIR avec d'autres caractères que des chiffres.",
    ),
    ("nir_checksum", WHERE_WRITTEN, NIR_KEY, "Clé du NIR fausse."),
    ("nir_sex_digit", WHERE_WRITTEN, NIR_KEY, "Premier chiffre du NIR impossible."),
    (
        "nir_provisional",
        WHERE_WRITTEN,
        "XSD 1.1.5 (rapporté, 1er chiffre 1 ou 2)",
        "NIR provisoire (NIA, 7 ou 8).",
    ),
    (
        "nir_set_aside",
        ADVICE,
        "XSD 1.1.5 (rapporté) : titulaire identifié par le NIR ou par l'état civil",
        "NIR invalide mais état civil complet : le passage est transmis par l'état civil.",
    ),
    (
        "nir_mismatch",
        ADVICE,
        "INSEE, composition du NIR",
        "NIR en désaccord avec le sexe, l'année, le mois ou le lieu de naissance.",
    ),
)


def severity(code, *, strict):
    """``blocking`` or ``warning`` for a rule code, in the chosen mode."""
    level = RULES[code].level
    if level == BLOCKS or (level == STRICT and strict):
        return BLOCKING
    return WARNING
