"""CDC flux, schema ``version="1.1.2"`` (kit "v2.0.0", in use since 2023).

Sources: the official XSD of the kit, the data dictionary NC5 V22 and the
Excel template v1.4 (sheet "Dictionnaire" V.16). Each row below is one XML
element, in document order; see ``types.Node`` for the columns.
"""

from .types import (
    CHOICE,
    SEQUENCE,
    Boolean,
    Date,
    DateTime,
    Enum,
    Integer,
    Text,
    group,
    leaf,
)

VERSION = "1.1.2"
NAMESPACE = "urn:cdc:cpf:pc5:schema:1.0.0"
#: nothing to warn about: the official XSD of the kit was read (SPEC.md §0)
NOTICE = ""

#: the template's older dictionary sheet gives names 30/20 characters where
#: the XSD and NC5 V22 (#8.1-#8.5) give 60
V16 = "modèle Excel v1.4, feuille Dictionnaire V.16"
#: NC5 V22 itself gives the birthplace labels 40 characters (#8.12, #8.14)
NC5 = "dictionnaire NC5 V22"

# The official pattern, quirk included: an offset hour of 20-23 is written
# ":2x" there. Kept verbatim so both schemas accept the same documents.
HORODATAGE = DateTime(
    r"(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])"
    r"T(2[0-3]|[01][0-9]):[0-5][0-9]:[0-5][0-9](\+|-)(:2[0-3]|[01][0-9]):[0-5][0-9]"
)

NATURE_DEPOSANT = Enum(
    "natureDeposant",
    (
        ("CERTIFICATEUR", "Certificateur"),
        ("TIERS_CONFIANCE", "Tiers de confiance"),
    ),
)
OBTENTION = Enum(
    "obtentionCertification",
    (("PAR_ADMISSION", "Par admission"), ("PAR_SCORING", "Par scoring")),
)
MODALITE_EXAMEN = Enum(
    "modalitePassageExamen",
    (
        ("A_DISTANCE", "À distance"),
        ("EN_PRESENTIEL", "En présentiel"),
        ("MIXTE", "Mixte"),
    ),
)
CECRL = Enum(
    "niveauCECRL",
    tuple((level, level) for level in ("A1", "A2", "B1", "B2", "C1", "C2"))
    + (("INSUFFISANT", "Insuffisant"),),
)
MENTION = Enum(
    "mention",
    (
        ("SANS_MENTION", "Sans mention"),
        ("MENTION_ASSEZ_BIEN", "Assez bien"),
        ("MENTION_BIEN", "Bien"),
        ("MENTION_TRES_BIEN", "Très bien"),
        ("MENTION_TRES_BIEN_AVEC_FELICITATIONS_DU_JURY", "Très bien avec félicitations du jury"),
    ),
)
MODALITE_ACCES = Enum(
    "modaliteAcces",
    (
        ("FORMATION_INITIALE_HORS_APPRENTISSAGE", "Formation initiale hors apprentissage"),
        ("FORMATION_INITIALE_APPRENTISSAGE", "Formation initiale en apprentissage"),
        (
            "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION",
            "Formation continue hors contrat de professionnalisation",
        ),
        (
            "FORMATION_CONTINUE_CONTRAT_DE_PROFESSIONNALISATION",
            "Formation continue en contrat de professionnalisation",
        ),
        ("VAE", "Validation des acquis de l'expérience (VAE)"),
        ("EQUIVALENCE_DIPLOME_ETRANGER", "Équivalence de diplôme étranger"),
        ("CANDIDAT_LIBRE", "Candidat libre"),
    ),
)
VOIE_VAE = Enum(
    "voieAccesVAE",
    (("CONGES_VAE", "Congé VAE"), ("VAE_CLASSIQUE", "VAE classique")),
)
INITIATIVE = Enum(
    "initiativeInscription",
    (
        ("CERTIFIE", "Le certifié"),
        ("OF", "L'organisme de formation"),
        ("POLE_EMPLOI", "France Travail (Pôle emploi)"),
        ("EMPLOYEUR", "L'employeur"),
        ("AUTRE", "Autre"),
    ),
)
SEXE = Enum("genre", (("M", "Masculin"), ("F", "Féminin")))

#: DigComp areas (#6.3) and how many competences (#6.4) each holds (S-DICO
#: block 6); the XSD only says "one character", the rules check the pairs.
DIGCOMP_AREAS = (
    ("1", "Littératie de l'information et des données", 3),
    ("2", "Communication et collaboration", 6),
    ("3", "Création de contenu numérique", 4),
    ("4", "Sécurité", 4),
    ("5", "Résolution de problèmes", 4),
)

P = "flux/emetteur/certificateurs/certificateur/certifications/certification"
PASSAGE = P + "/passageCertifications/passageCertification"
TITULAIRE = PASSAGE + "/identificationTitulaire/titulaire"
NAISSANCE = TITULAIRE + "/codeCommuneNaissance"
DOSSIER = PASSAGE + "/identificationTitulaire/dossierFormation"
NUMERIQUE = PASSAGE + "/niveauNumeriqueEuropeen"

NODES = (
    group("flux", None, "Flux", level="flux"),
    leaf(
        "flux/idFlux",
        "1.1",
        "Identifiant du flux",
        Text(50),
        "UUID unique pour chaque fichier envoyé ; généré automatiquement.",
        level="flux",
    ),
    leaf(
        "flux/horodatage",
        "1.2",
        "Horodatage",
        HORODATAGE,
        "Date et heure d'envoi, avec un décalage horaire sur deux chiffres "
        "(+01:00 ou +02:00), sans Z ni fraction de seconde ; généré automatiquement.",
        level="flux",
    ),
    group("flux/emetteur", "2", "Émetteur du flux", level="deposit"),
    leaf(
        "flux/emetteur/idClient",
        "2.1",
        "Identifiant client de l'émetteur",
        Text(length=8),
        "Numéro de fiche client (BCR) de l'émetteur, 8 caractères, communiqué par "
        "la Caisse des Dépôts. Identique au #3.1 si le certificateur dépose lui-même.",
        key="idClientEmetteur",
        level="deposit",
        same_as="idClientCertificateur",
    ),
    group("flux/emetteur/certificateurs", None, "Certificateurs", level="deposit"),
    group(
        "flux/emetteur/certificateurs/certificateur",
        "3",
        "Certificateur",
        help="Un seul certificateur par fichier.",
        level="deposit",
    ),
    leaf(
        "flux/emetteur/certificateurs/certificateur/idClient",
        "3.1",
        "Identifiant client du certificateur",
        Text(length=8),
        "Numéro de fiche client (BCR) du certificateur, 8 caractères.",
        key="idClientCertificateur",
        level="deposit",
    ),
    leaf(
        "flux/emetteur/certificateurs/certificateur/idContrat",
        "3.2",
        "Numéro de contrat du certificateur",
        Text(20),
        "Numéro de contrat communiqué par la Caisse des Dépôts (ex. MCFCER000123).",
        level="deposit",
    ),
    group(
        "flux/emetteur/certificateurs/certificateur/certifications",
        None,
        "Certifications",
        SEQUENCE,
        level="deposit",
    ),
    group(P, "4", "Certification", max_occurs=None, level="certification"),
    leaf(
        P + "/type",
        "4.1",
        "Type de certification",
        Text(255),
        "RNCP ou RS, cohérent avec le code.",
        level="certification",
        normalize="certification_type",
    ),
    leaf(
        P + "/code",
        "4.2",
        "Code de la certification",
        Text(100),
        "Code de la fiche France compétences, préfixe compris (ex. RNCP35726, RS5875).",
        level="certification",
        normalize="code",
    ),
    leaf(
        P + "/natureDeposant",
        "4.3",
        "Nature du déposant",
        NATURE_DEPOSANT,
        "Qui a déposé la certification auprès de France compétences.",
        min_occurs=0,
        level="certification",
    ),
    group(P + "/passageCertifications", None, "Passages", SEQUENCE, level="certification"),
    group(PASSAGE, "5", "Passage de la certification", max_occurs=None),
    leaf(
        PASSAGE + "/idTechnique",
        "5.1",
        "Identifiant technique du passage",
        Text(255),
        "Généré par l'émetteur, unique pour chaque passage ; ne jamais réutiliser "
        "celui d'un passage accepté.",
    ),
    leaf(
        PASSAGE + "/urlPreuve",
        "5.2",
        "Lien vers la preuve numérique",
        Text(255),
        "Lien durable et vérifié vers la preuve numérique de la certification.",
        min_occurs=0,
    ),
    leaf(
        PASSAGE + "/libelleOption",
        "5.3",
        "Option, mention ou spécialité",
        Text(255),
        min_occurs=0,
    ),
    leaf(
        PASSAGE + "/obtentionCertification",
        "5.4",
        "Mode d'obtention",
        OBTENTION,
        "Par admission (dossier et notes évalués) ou par scoring (score minimal atteint).",
    ),
    leaf(
        PASSAGE + "/donneeCertifiee",
        "5.5",
        "Résultat définitif",
        Boolean(),
        "Vrai si le résultat est définitif, faux s'il est encore provisoire.",
    ),
    leaf(
        PASSAGE + "/dateDebutExamen",
        "5.6",
        "Date de début de l'examen",
        Date(),
        min_occurs=0,
    ),
    leaf(
        PASSAGE + "/dateFinExamen",
        "5.7",
        "Date de fin de l'examen",
        Date(),
        "Identique à la date de début pour un examen d'une journée.",
        min_occurs=0,
    ),
    leaf(
        PASSAGE + "/modalitePassageExamen",
        "5.8",
        "Modalité de passage de l'examen",
        MODALITE_EXAMEN,
        min_occurs=0,
    ),
    leaf(
        PASSAGE + "/codePostalCentreExamen",
        "5.9",
        "Code postal du centre d'examen",
        Text(9),
        min_occurs=0,
    ),
    leaf(
        PASSAGE + "/dateDebutValidite",
        "5.10",
        "Date de délivrance",
        Date(),
        "Date du parchemin, début de validité de la certification ; le dépôt doit "
        "être fait dans les 3 mois qui suivent.",
    ),
    leaf(
        PASSAGE + "/dateFinValidite",
        "5.11",
        "Date de fin de validité",
        Date(),
        "Laisser vide (nil) si la certification n'a pas de fin de validité.",
        nillable=True,
    ),
    leaf(
        PASSAGE + "/presenceNiveauLangueEuro",
        "5.12",
        "Niveau de langue européen renseigné",
        Boolean(),
        "Vrai si un niveau CECRL (#5.13) est transmis.",
    ),
    leaf(
        PASSAGE + "/niveauLangueEuropeen",
        "5.13",
        "Niveau de langue européen (CECRL)",
        CECRL,
        min_occurs=0,
        conditions=("si #5.12 = true",),
    ),
    leaf(
        PASSAGE + "/presenceNiveauNumeriqueEuro",
        "5.14",
        "Niveau numérique européen renseigné",
        Boolean(),
        "Vrai si le bloc 6 (DigComp) est transmis.",
    ),
    group(
        NUMERIQUE,
        "6",
        "Niveau numérique européen (DigComp)",
        min_occurs=0,
        conditions=("si #5.14 = true",),
    ),
    leaf(
        NUMERIQUE + "/scoreGeneral",
        "6.1",
        "Score général DigComp",
        Integer(1, 1000),
        min_occurs=0,
    ),
    group(NUMERIQUE + "/resultats", None, "Résultats DigComp", SEQUENCE, min_occurs=0),
    group(
        NUMERIQUE + "/resultats/resultat",
        None,
        "Résultat DigComp",
        min_occurs=0,
        max_occurs=None,
        key="resultats",
    ),
    leaf(
        NUMERIQUE + "/resultats/resultat/niveau",
        "6.2",
        "Niveau de la compétence",
        Integer(1, 8),
        min_occurs=0,
    ),
    leaf(
        NUMERIQUE + "/resultats/resultat/domaineCompetenceId",
        "6.3",
        "Domaine de compétence",
        Text(length=1),
        "Numéro du domaine DigComp, de 1 à 5.",
        min_occurs=0,
    ),
    leaf(
        NUMERIQUE + "/resultats/resultat/competenceId",
        "6.4",
        "Compétence",
        Text(length=1),
        "Numéro de la compétence dans son domaine.",
        min_occurs=0,
    ),
    leaf(
        PASSAGE + "/scoring",
        "5.15",
        "Score ou base de notation",
        Text(255),
        nillable=True,
    ),
    leaf(
        PASSAGE + "/mentionValidee",
        "5.16",
        "Mention obtenue",
        MENTION,
        nillable=True,
    ),
    group(PASSAGE + "/modalitesInscription", "7", "Modalités d'inscription"),
    leaf(
        PASSAGE + "/modalitesInscription/modaliteAcces",
        "7.1",
        "Modalité d'accès",
        MODALITE_ACCES,
        nillable=True,
    ),
    leaf(
        PASSAGE + "/modalitesInscription/voieAccessVAE",
        "7.2",
        "Voie d'accès VAE",
        VOIE_VAE,
        "À renseigner si la modalité d'accès est VAE (facultatif selon le dictionnaire "
        "NC5 V22 ; la feuille Dictionnaire V.16 du modèle Excel le dit obligatoire).",
        min_occurs=0,
        conditions=("si #7.1 = VAE",),
    ),
    leaf(
        PASSAGE + "/modalitesInscription/initiativeInscription",
        "7.3",
        "Initiative de l'inscription",
        INITIATIVE,
        min_occurs=0,
    ),
    leaf(
        PASSAGE + "/modalitesInscription/dateInscription",
        "7.4",
        "Date d'inscription",
        Date(),
        min_occurs=0,
    ),
    group(
        PASSAGE + "/identificationTitulaire",
        None,
        "Identification du titulaire",
        CHOICE,
        help="Par l'état civil (bloc 8) ou par le numéro de dossier CPF (bloc 9).",
    ),
    group(TITULAIRE, "8", "Titulaire (état civil)"),
    leaf(
        TITULAIRE + "/nomNaissance",
        "8.1",
        "Nom de naissance",
        Text(60),
        "Nom de naissance tel qu'il figure à l'état civil.",
        dico_max_length=30,
        dico_length_source=V16,
        normalize="name",
    ),
    leaf(
        TITULAIRE + "/nomUsage",
        "8.2",
        "Nom d'usage",
        Text(60),
        "Nom d'usage ou marital ; nil s'il n'est pas connu.",
        nillable=True,
        dico_max_length=30,
        dico_length_source=V16,
        normalize="name",
    ),
    leaf(
        TITULAIRE + "/prenom1",
        "8.3",
        "Premier prénom",
        Text(60),
        dico_max_length=20,
        dico_length_source=V16,
        normalize="name",
    ),
    leaf(
        TITULAIRE + "/prenom2",
        "8.4",
        "Deuxième prénom",
        Text(60),
        min_occurs=0,
        dico_max_length=20,
        dico_length_source=V16,
        normalize="name",
    ),
    leaf(
        TITULAIRE + "/prenom3",
        "8.5",
        "Troisième prénom",
        Text(60),
        min_occurs=0,
        dico_max_length=20,
        dico_length_source=V16,
        normalize="name",
    ),
    leaf(
        TITULAIRE + "/anneeNaissance",
        "8.6",
        "Année de naissance",
        Integer(1900, 2099),
        personal="birth",
    ),
    leaf(
        TITULAIRE + "/moisNaissance",
        "8.7",
        "Mois de naissance",
        Integer(1, 12),
        "nil s'il n'est pas connu.",
        nillable=True,
        personal="birth",
    ),
    leaf(
        TITULAIRE + "/jourNaissance",
        "8.8",
        "Jour de naissance",
        Integer(1, 31),
        "nil s'il n'est pas connu.",
        nillable=True,
        personal="birth",
    ),
    leaf(TITULAIRE + "/sexe", "8.9", "Sexe", SEXE),
    group(
        NAISSANCE,
        None,
        "Commune de naissance",
        CHOICE,
        help="Code INSEE (recommandé) ou code postal, jamais les deux.",
    ),
    group(NAISSANCE + "/codeInseeNaissance", None, "Code INSEE de naissance", SEQUENCE),
    leaf(
        NAISSANCE + "/codeInseeNaissance/codeInsee",
        "8.10",
        "Code INSEE de la commune de naissance",
        Text(length=5),
        "Code INSEE de la commune ; né à l'étranger : code pays INSEE 99XXX.",
        zero_pad=True,
        normalize="code",
    ),
    group(NAISSANCE + "/codePostalNaissance", None, "Code postal de naissance", SEQUENCE),
    leaf(
        NAISSANCE + "/codePostalNaissance/codePostal",
        "8.11",
        "Code postal de la commune de naissance",
        Text(9),
        "À défaut de code INSEE ; nil s'il n'est pas connu.",
        nillable=True,
        conditions=("si #8.10 est vide",),
    ),
    leaf(
        TITULAIRE + "/libelleCommuneNaissance",
        "8.12",
        "Commune de naissance",
        Text(60),
        min_occurs=0,
        dico_max_length=40,
        dico_length_source=NC5,
    ),
    leaf(
        TITULAIRE + "/codePaysNaissance",
        "8.13",
        "Code du pays de naissance",
        Text(length=3),
        "Né à l'étranger : les 3 derniers chiffres du code pays INSEE (99XXX) ; "
        "né en France : vide.",
        min_occurs=0,
        zero_pad=True,
        normalize="code",
    ),
    leaf(
        TITULAIRE + "/libellePaysNaissance",
        "8.14",
        "Pays de naissance",
        Text(60),
        min_occurs=0,
        dico_max_length=40,
        dico_length_source=NC5,
    ),
    leaf(
        TITULAIRE + "/commentairesMEN",
        None,
        "Commentaires (Éducation nationale)",
        Text(250),
        "Présent dans le schéma seulement, pas dans le dictionnaire.",
        min_occurs=0,
    ),
    group(DOSSIER, "9", "Dossier de formation CPF"),
    leaf(
        DOSSIER + "/idDossier",
        "9.1",
        "Numéro de dossier CPF",
        Text(13),
        "Numéro du dossier de formation CPF (EDOF), 13 caractères au plus.",
    ),
    leaf(
        DOSSIER + "/nomTitulaire",
        "9.2",
        "Nom du titulaire (dossier CPF)",
        Text(30),
        normalize="name",
        same_as="nomNaissance",
    ),
    leaf(
        DOSSIER + "/prenom1Titulaire",
        "9.3",
        "Prénom du titulaire (dossier CPF)",
        Text(20),
        normalize="name",
        same_as="prenom1",
    ),
    leaf(
        PASSAGE + "/verbatim",
        "5.17",
        "Information complémentaire",
        Text(255),
        "Information hors cadre (ex. TOSA).",
        min_occurs=0,
    ),
)
