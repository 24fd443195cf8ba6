import datetime

from odoo import fields

from .common import AWARD, CONTINUING, AccrochageCase


def candidate(reference, **overrides):
    """A complete candidate as a partner pushes it (CDC dictionary keys)."""
    passage = {
        "type": "RNCP",
        "code": "RNCP34999",
        "obtentionCertification": "PAR_ADMISSION",
        "donneeCertifiee": True,
        "dateDebutExamen": (AWARD - datetime.timedelta(days=2)).isoformat(),
        "dateFinExamen": (AWARD - datetime.timedelta(days=1)).isoformat(),
        "modalitePassageExamen": "EN_PRESENTIEL",
        "codePostalCentreExamen": "69003",
        "dateDebutValidite": AWARD.isoformat(),
        "modaliteAcces": CONTINUING,
        "initiativeInscription": "OF",
        "nomNaissance": "DUPONT",
        "prenom1": "Jeanne",
        "anneeNaissance": 1988,
        "moisNaissance": 3,
        "jourNaissance": 9,
        "sexe": "F",
        "codeInsee": "69123",
        "libelleCommuneNaissance": "Lyon",
    }
    passage.update(overrides)
    return {"reference": reference, "passage": {k: v for k, v in passage.items() if v is not ...}}


class PartnerCase(AccrochageCase):
    """The certifier's company with two partner organisations, each with its
    technical user and an active habilitation for the certification."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_certification = cls.env["accrochage.certification"].create(
            {
                "name": "Comptable",
                "certification_type": "RS",
                "code": "RS5123",
                "certifier_id": cls.certifier.id,
            }
        )
        cls.organisation = cls._make_organisation("Formations Rhône", "73282932000074")
        cls.other_organisation = cls._make_organisation("Campus Loire", False)
        manager = cls.env["accrochage.partner.organisation"].with_user(cls.user_manager)
        cls.key = cls._new_key(manager.browse(cls.organisation.id))
        cls.other_key = cls._new_key(manager.browse(cls.other_organisation.id))
        cls.partner_user = cls.organisation.user_id
        cls.other_user = cls.other_organisation.user_id

    @classmethod
    def _make_organisation(cls, name, siret):
        organisation = cls.env["accrochage.partner.organisation"].create(
            {
                "partner_id": cls.env["res.partner"]
                .create({"name": name, "is_company": True, "company_registry": siret})
                .id,
                "nda": "84691234569",
                "habilitation_ids": [
                    fields.Command.create(
                        {
                            "certification_id": cls.certification.id,
                            "habilitation": "both",
                            "date_start": AWARD - datetime.timedelta(days=365),
                            "state": "active",
                        }
                    )
                ],
            }
        )
        return organisation

    @classmethod
    def _new_key(cls, organisation):
        action = organisation.action_generate_api_key()
        return action["context"]["default_key"]

    def submit(self, candidates, user=None):
        return (
            self.env["accrochage.passage"]
            .with_user(user or self.partner_user)
            .partner_submit(candidates)
        )

    def passages_of(self, organisation):
        return self.env["accrochage.passage"].search(
            [("partner_organisation_id", "=", organisation.id)]
        )
