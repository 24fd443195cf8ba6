"""Fictitious valid passages, for the examples in docstrings and for tests:
override what the example is about. Part of the package so that an installed
engine can run its own doctests."""

import datetime

DEPOSIT = {
    "idClientEmetteur": "12ABC345",
    "idClientCertificateur": "12ABC345",
    "idContrat": "MCFCER000123",
}


def make_passage(index=1, **overrides):
    """A complete passage (civil-status identification) that passes every rule."""
    passage = {
        **DEPOSIT,
        "type": "RNCP",
        "code": "RNCP35726",
        "natureDeposant": "CERTIFICATEUR",
        "idTechnique": f"P-{index:06d}",
        "obtentionCertification": "PAR_ADMISSION",
        "donneeCertifiee": True,
        "dateDebutExamen": datetime.date(2026, 6, 2),
        "dateFinExamen": datetime.date(2026, 6, 3),
        "modalitePassageExamen": "EN_PRESENTIEL",
        "codePostalCentreExamen": "69003",
        "dateDebutValidite": datetime.date(2026, 10, 15),
        "dateFinValidite": None,
        "presenceNiveauLangueEuro": False,
        "presenceNiveauNumeriqueEuro": False,
        "scoring": None,
        "mentionValidee": "MENTION_BIEN",
        "modaliteAcces": "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION",
        "initiativeInscription": "OF",
        "dateInscription": datetime.date(2026, 1, 12),
        "nomNaissance": "MARTIN",
        "nomUsage": None,
        "prenom1": "Élodie",
        "prenom2": "Anne",
        "anneeNaissance": 1990,
        "moisNaissance": 5,
        "jourNaissance": 17,
        "sexe": "F",
        "codeInsee": "69123",
        "libelleCommuneNaissance": "Lyon",
    }
    passage.update(overrides)
    return passage


def make_passages(count, **overrides):
    return [make_passage(index, **overrides) for index in range(1, count + 1)]
