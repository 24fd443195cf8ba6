import datetime
import importlib.util
import os
import tempfile

from odoo.modules.module import get_module_path
from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase

#: the official CDC kit, when this checkout sits next to it (test oracle only)
OFFICIAL_XSD = os.path.normpath(
    os.path.join(
        os.path.dirname(__file__),
        "..",
        "..",
        "..",
        "shared",
        "cdc",
        "flux-accrochage-1.1.2.xsd",
    )
)
TODAY = datetime.date.today()
CONTINUING = "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION"
AWARD = TODAY - datetime.timedelta(days=20)


def load_migration(version):
    """The post-migrate script of a version, as Odoo's migration manager loads it."""
    path = f"{get_module_path('accrochage_certificateur')}/migrations/{version}/post-migrate.py"
    spec = importlib.util.spec_from_file_location(f"accrochage_migration_{version}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def nir_with_key(nir13):
    """A NIR with its key: 97 minus the number modulo 97."""
    return f"{nir13}{97 - int(nir13) % 97:02d}"


def receipt_xml(id_flux, ok=(), ko=()):
    """An accusé de traitement as the CDC writes it (SPEC §4.4)."""
    kos = "".join(
        f"<passage><idTechnique>{ident}</idTechnique>"
        f"<messageErreur>{message}</messageErreur></passage>"
        for ident, message in ko
    )
    oks = "".join(f"<idTechnique>{ident}</idTechnique>" for ident in ok)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<rapport xmlns:ns2="urn:cdc:cpf:pc5:rapport:schema">'
        f"<nomFichier>test.xml</nomFichier><idFlux>{id_flux}</idFlux>"
        f"<idTraitement>4242</idTraitement><PassagesKO>{kos}</PassagesKO>"
        f"<PassagesOK>{oks}</PassagesOK></rapport>"
    ).encode()


class AccrochageCase(TransactionCase):
    """A company with a certifier, a certification, a formation and a session."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.accrochage_schema_version = "1.1.2"
        cls.user_certif = new_test_user(
            cls.env,
            login="accrochage_user",
            groups="accrochage_certificateur.group_accrochage_user",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.user_manager = new_test_user(
            cls.env,
            login="accrochage_manager",
            groups="accrochage_certificateur.group_accrochage_manager",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.user_portal = new_test_user(
            cls.env, login="accrochage_portal", groups="base.group_portal"
        )
        cls.certifier = cls.env["accrochage.certifier"].create(
            {
                "partner_id": cls.env["res.partner"]
                .create({"name": "Institut de test", "is_company": True})
                .id,
                "id_client": "12ABC345",
                "id_contrat": "MCFCER000123",
            }
        )
        cls.certification = cls.env["accrochage.certification"].create(
            {
                "name": "Gestionnaire de paie",
                "certification_type": "RNCP",
                "code": "RNCP34999",
                "certifier_id": cls.certifier.id,
            }
        )
        cls.formation = cls.env["event.type"].create(
            {"name": "Formation paie", "accrochage_certification_id": cls.certification.id}
        )
        cls.session = cls._make_session()

    @classmethod
    def _make_session(cls, **values):
        return cls.env["event.event"].create(
            {
                "name": "Session de test",
                "event_type_id": cls.formation.id,
                "date_begin": datetime.datetime.combine(
                    AWARD - datetime.timedelta(days=30), datetime.time(8)
                ),
                "date_end": datetime.datetime.combine(AWARD, datetime.time(17)),
                "accrochage_exam_date_start": AWARD - datetime.timedelta(days=2),
                "accrochage_exam_date_end": AWARD - datetime.timedelta(days=1),
                "accrochage_exam_mode": "EN_PRESENTIEL",
                "accrochage_exam_postcode": "69003",
                **values,
            }
        )

    @classmethod
    def _holder_vals(cls, index, **overrides):
        return {
            "name": f"Titulaire {index}",
            "accrochage_birth_name": f"MARTIN{chr(65 + index % 26)}",
            "accrochage_first_name1": "Élodie",
            "accrochage_sex": "F",
            "accrochage_birth_year": 1990,
            "accrochage_birth_month": 5,
            "accrochage_birth_day": 17,
            "accrochage_birth_insee": "69123",
            "accrochage_birth_city": "Lyon",
            **overrides,
        }

    @classmethod
    def _make_attendees(cls, session, count, result="admitted", **partner_overrides):
        partners = cls.env["res.partner"].create(
            [cls._holder_vals(index, **partner_overrides) for index in range(count)]
        )
        return cls.env["event.registration"].create(
            [
                {
                    "event_id": session.id,
                    "partner_id": partner.id,
                    "accrochage_result": result,
                    "accrochage_award_date": AWARD,
                    "accrochage_access_mode": CONTINUING,
                    "accrochage_initiative": "OF",
                }
                for partner in partners
            ]
        )

    def _accepted_from_session(self):
        """An attendee of the session whose passage the CDC accepted: (attendee,
        passage, deposit)."""
        attendee = self._make_attendees(self.session, 1)
        self.session.action_set_done()
        passage = self.session.accrochage_passage_ids
        self.assertEqual(passage.state, "ready", passage.issue)
        deposit = self.env["accrochage.deposit"]._create_from_passages(passage)
        deposit._generate()
        self.assertEqual(deposit.state, "generated", deposit.error_message)
        deposit.action_mark_sent()
        self.env["accrochage.deposit"]._import_receipt(
            receipt_xml(deposit.id_flux, ok=[passage.id_technique])
        )
        self.assertEqual(passage.state, "accepted")
        return attendee, passage, deposit

    @classmethod
    def _make_ready_passages(cls, count):
        partners = cls.env["res.partner"].create(
            [cls._holder_vals(index) for index in range(count)]
        )
        return cls.env["accrochage.passage"].create(
            [
                {
                    "partner_id": partner.id,
                    "certification_id": cls.certification.id,
                    "award_date": AWARD,
                    "exam_date_start": AWARD,
                    "exam_date_end": AWARD,
                    "access_mode": CONTINUING,
                }
                for partner in partners
            ]
        )

    def _files_of(self, deposit):
        """Write the deposit's XML attachments to a temporary directory."""
        out_dir = tempfile.mkdtemp(prefix="accrochage-test-")
        paths = []
        for attachment in deposit.file_ids:
            path = os.path.join(out_dir, attachment.name)
            with open(path, "wb") as handle:
                handle.write(attachment.raw)
            paths.append(path)
        return paths
