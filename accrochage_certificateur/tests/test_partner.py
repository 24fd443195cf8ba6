import datetime

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import AWARD
from .partner_common import PartnerCase, candidate


@tagged("post_install", "-at_install")
class TestPartnerOrganisation(PartnerCase):
    def test_nda_must_have_eleven_digits(self):
        with self.assertRaisesRegex(ValidationError, "11 digits"):
            self.organisation.nda = "8469123456"
        self.organisation.nda = "846 912 345 69"
        self.assertEqual(self.organisation.nda, "84691234569")

    def test_siret_is_checked(self):
        with self.assertRaisesRegex(ValidationError, "clé du SIRET ne correspond pas"):
            self.organisation.siret = "73282932000075"
        with self.assertRaisesRegex(ValidationError, "14 chiffres"):
            self._make_organisation("OF Ain", "7328293200007")

    def test_counts_and_state_follow_habilitations_and_passages(self):
        self.assertEqual(self.organisation.state, "active")
        self.submit([candidate("R-1"), candidate("R-2", sexe=...)])
        self.organisation.invalidate_recordset()
        self.assertEqual(self.organisation.passage_received_count, 2)
        self.assertEqual(self.organisation.passage_accepted_count, 0)
        self.organisation.habilitation_ids.action_suspend()
        self.assertEqual(self.organisation.state, "suspended")

    def test_the_key_is_shown_once_and_authenticates_the_technical_user(self):
        keys = self.env["res.users.apikeys"]
        self.assertEqual(keys._check_credentials(scope="rpc", key=self.key), self.partner_user.id)
        self.assertTrue(self.partner_user.share, "the technical user is not an internal user")
        self.assertTrue(
            self.partner_user.has_group("accrochage_certificateur.group_accrochage_partner")
        )
        self.assertEqual(self.organisation.api_key_count, 1)
        expires = self.organisation.api_key_expiration
        self.assertAlmostEqual(
            expires,
            fields.Datetime.now() + datetime.timedelta(days=90),
            delta=datetime.timedelta(hours=1),
        )
        # the key is not stored anywhere readable: only its hash
        self.assertFalse(any(self.key in (m.body or "") for m in self.organisation.message_ids))

    def test_rotate_revoke_and_expiry(self):
        keys = self.env["res.users.apikeys"]
        manager = self.organisation.with_user(self.user_manager)
        new_key = manager.action_rotate_api_key()["context"]["default_key"]
        self.assertFalse(
            keys._check_credentials(scope="rpc", key=self.key), "the old key still works"
        )
        self.assertEqual(keys._check_credentials(scope="rpc", key=new_key), self.partner_user.id)
        manager.action_revoke_api_keys()
        self.assertFalse(keys._check_credentials(scope="rpc", key=new_key))
        self.organisation.invalidate_recordset()
        self.assertEqual(self.organisation.api_key_count, 0)
        # an expired key is refused
        expired = manager.action_generate_api_key()["context"]["default_key"]
        self.env.cr.execute(
            "UPDATE res_users_apikeys SET expiration_date = now() - interval '1 day' "
            "WHERE user_id = %s",
            [self.partner_user.id],
        )
        self.assertFalse(keys._check_credentials(scope="rpc", key=expired))

    def test_only_a_manager_manages_keys(self):
        with self.assertRaisesRegex(UserError, "manager"):
            self.organisation.with_user(self.user_certif).action_generate_api_key()

    def test_no_key_without_an_active_habilitation(self):
        organisation = self._make_organisation("Sans habilitation", False)
        organisation.habilitation_ids.state = "draft"
        with self.assertRaisesRegex(UserError, "Activate a habilitation"):
            organisation.with_user(self.user_manager).action_generate_api_key()

    def test_the_form_creates_an_organisation_with_habilitations(self):
        company = self.env["res.partner"].create({"name": "OF Savoie", "is_company": True})
        with Form(self.env["accrochage.partner.organisation"].with_user(self.user_manager)) as form:
            form.partner_id = company
            form.nda = "82731234567"
            with form.habilitation_ids.new() as line:
                line.certification_id = self.other_certification
                line.habilitation = "assess"
        organisation = form.record
        self.assertEqual(organisation.habilitation_ids.certification_id, self.other_certification)
        self.assertEqual(organisation.state, "draft")


@tagged("post_install", "-at_install")
class TestPartnerSubmit(PartnerCase):
    def test_a_complete_candidate_is_ready_with_its_holder(self):
        answer = self.submit([candidate("R-1")])
        self.assertEqual(answer["received"], 1)
        self.assertEqual(answer["ready"], 1, answer)
        item = answer["candidates"][0]
        self.assertEqual(
            (item["reference"], item["status"], item["label"]), ("R-1", "ready", "Prêt")
        )
        passage = self.passages_of(self.organisation)
        self.assertEqual(passage.state, "ready")
        self.assertEqual(passage.partner_reference, "R-1")
        self.assertEqual(passage.certification_id, self.certification)
        self.assertEqual(passage.partner_id.accrochage_birth_name, "DUPONT")
        self.assertEqual(passage.partner_id.name, "Jeanne DUPONT")
        self.assertEqual(passage.award_date, AWARD)

    def test_an_incomplete_candidate_lands_in_to_fix_with_french_findings(self):
        answer = self.submit([candidate("R-2", sexe=..., modaliteAcces=...)])
        item = answer["candidates"][0]
        self.assertEqual((item["status"], item["label"]), ("incomplete", "Incomplet"))
        by_field = {finding.get("field"): finding for finding in item["findings"]}
        self.assertIn("sexe", by_field)
        self.assertEqual(by_field["sexe"]["dico_id"], "8.9")
        self.assertIn("Sexe", by_field["sexe"]["message"])
        to_fix = self.env["accrochage.passage"].search(
            [("state", "in", ("incomplete", "rejected"))]
        )
        self.assertIn(self.passages_of(self.organisation), to_fix)

    def test_a_replayed_push_changes_nothing(self):
        pushed = [candidate("R-1"), candidate("R-2", sexe=...)]
        self.submit(pushed)
        passages = self.passages_of(self.organisation)
        holders = passages.partner_id
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, write_date FROM accrochage_passage WHERE id = ANY(%s) ORDER BY id",
            [passages.ids],
        )
        before = self.env.cr.fetchall()
        answer = self.submit(pushed)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, write_date FROM accrochage_passage WHERE id = ANY(%s) ORDER BY id",
            [passages.ids],
        )
        self.assertEqual(self.env.cr.fetchall(), before)
        self.assertEqual(self.passages_of(self.organisation), passages)
        self.assertEqual(self.passages_of(self.organisation).partner_id, holders)
        self.assertEqual([c["status"] for c in answer["candidates"]], ["ready", "incomplete"])
        last = self.organisation.message_ids[0]
        self.assertIn("0 created, 0 updated, 2 unchanged", last.body)

    def test_the_same_reference_again_updates_the_passage(self):
        self.submit([candidate("R-2", sexe=...)])
        answer = self.submit([candidate("R-2")])
        self.assertEqual(answer["candidates"][0]["status"], "ready")
        passage = self.passages_of(self.organisation)
        self.assertEqual(len(passage), 1)
        self.assertEqual(passage.state, "ready")
        self.assertEqual(passage.partner_id.accrochage_sex, "F")

    def test_a_reference_keeps_its_certification(self):
        self.organisation.habilitation_ids = [
            fields.Command.create(
                {
                    "certification_id": self.other_certification.id,
                    "date_start": AWARD - datetime.timedelta(days=30),
                    "state": "active",
                }
            )
        ]
        self.submit([candidate("R-1")])
        answer = self.submit([candidate("R-1", type="RS", code="RS5123")])
        item = answer["candidates"][0]
        self.assertEqual(item["status"], "refused")
        self.assertIn("was sent for RNCP34999", item["findings"][0]["message"])
        self.assertEqual(self.passages_of(self.organisation).certification_id, self.certification)

    def test_two_candidates_of_one_holder_share_the_holder(self):
        self.organisation.habilitation_ids = [
            fields.Command.create(
                {
                    "certification_id": self.other_certification.id,
                    "date_start": AWARD - datetime.timedelta(days=30),
                    "state": "active",
                }
            )
        ]
        self.submit([candidate("R-1"), candidate("R-9", type="RS", code="RS5123")])
        self.assertEqual(len(self.passages_of(self.organisation).partner_id), 1)

    def test_refused_candidates_are_not_recorded(self):
        answer = self.submit(
            [
                candidate("R-1", type="RS", code="RS5123"),
                candidate("R-2", couleur="bleu"),
                candidate("R-3", anneeNaissance="mille"),
                {"passage": {}},
                candidate("R-4"),
                candidate("R-4"),
                candidate("R-5", moisNaissance=13),
                candidate("R-6", type=..., code=...),
                candidate("R-7", codePaysNaissance="999"),
            ]
        )
        statuses = {item["reference"]: item for item in answer["candidates"]}
        self.assertIn(
            "no habilitation in force for RS5123", statuses["R-1"]["findings"][0]["message"]
        )
        self.assertIn("« couleur » inconnue", statuses["R-2"]["findings"][0]["message"])
        self.assertIn("Année de naissance", statuses["R-3"]["findings"][0]["message"])
        self.assertIn("référence", statuses[None]["findings"][0]["message"])
        self.assertIn("already in this request", statuses["R-4"]["findings"][0]["message"])
        self.assertEqual(statuses["R-5"]["status"], "refused")
        self.assertIn("type", statuses["R-6"]["findings"][0]["message"])
        self.assertIn("“999” is unknown", statuses["R-7"]["findings"][0]["message"])
        self.assertEqual(answer["refused"], 8)
        self.assertEqual(self.passages_of(self.organisation).mapped("partner_reference"), ["R-4"])

    def test_a_suspended_habilitation_refuses_the_certification(self):
        self.organisation.habilitation_ids.action_suspend()
        with self.assertRaisesRegex(UserError, "no active partner organisation"):
            self.submit([candidate("R-1")])

    def test_an_ended_habilitation_date_refuses_the_candidate(self):
        self.organisation.habilitation_ids.date_end = AWARD - datetime.timedelta(days=300)
        self.organisation.habilitation_ids.date_start = AWARD - datetime.timedelta(days=365)
        answer = self.submit([candidate("R-1")])
        self.assertEqual(answer["candidates"][0]["status"], "refused")
        self.assertFalse(self.passages_of(self.organisation))

    def test_a_request_over_the_count_or_size_is_refused_whole(self):
        self.env.company.accrochage_partner_max_candidates = 2
        with self.assertRaisesRegex(UserError, "3 candidates in one request, over the 2 allowed"):
            self.submit([candidate(f"R-{n}") for n in range(3)])
        self.env.company.accrochage_partner_max_candidates = 500
        self.env.company.accrochage_partner_max_bytes = 1000
        with self.assertRaisesRegex(UserError, "over the 1000 allowed"):
            self.submit([candidate(f"R-{n}") for n in range(3)])
        self.assertFalse(self.passages_of(self.organisation))

    def test_candidates_must_be_a_list(self):
        with self.assertRaisesRegex(UserError, "must be a list"):
            self.submit({"reference": "R-1"})

    def test_the_chatter_says_counts_never_personal_data(self):
        self.submit([candidate("R-1"), candidate("R-2", sexe=...)])
        body = self.organisation.message_ids[0].body
        self.assertIn("2 candidate(s) received, 1 ready, 1 incomplete, 0 refused", body)
        for personal in ("DUPONT", "Jeanne", "1988", "69123", "R-1"):
            self.assertNotIn(personal, body)

    def test_a_non_partner_user_cannot_push(self):
        with self.assertRaisesRegex(UserError, "no active partner organisation"):
            self.submit([candidate("R-1")], user=self.user_certif)

    def test_a_frozen_passage_is_not_changed_by_a_push(self):
        self.submit([candidate("R-1")])
        passage = self.passages_of(self.organisation)
        passage.with_context(accrochage_receipt=True).write({"state": "accepted"})
        answer = self.submit([candidate("R-1", prenom1="Jeanine")])
        self.assertEqual(answer["candidates"][0]["status"], "refused")
        self.assertIn("already in a file", answer["candidates"][0]["findings"][0]["message"])
        self.assertEqual(passage.partner_id.accrochage_first_name1, "Jeanne")


@tagged("post_install", "-at_install")
class TestPartnerAccess(PartnerCase):
    def test_the_partner_reads_only_its_own_habilitated_passages(self):
        self.submit([candidate("R-1")])
        self.submit([candidate("O-1")], user=self.other_user)
        Passage = self.env["accrochage.passage"]
        own = Passage.with_user(self.partner_user).search([])
        self.assertEqual(own.mapped("partner_reference"), ["R-1"])
        other = self.passages_of(self.other_organisation)
        with self.assertRaises(AccessError):
            other.with_user(self.partner_user).read(["state"])
        # a certifier's own passage is out of reach too
        mine = self._make_ready_passages(1)
        with self.assertRaises(AccessError):
            mine.with_user(self.partner_user).read(["state"])
        # once the habilitation is suspended, its passages are out of reach
        self.organisation.habilitation_ids.action_suspend()
        self.assertFalse(Passage.with_user(self.partner_user).search([]))

    def test_the_partner_never_reads_a_nir_nor_a_holder(self):
        self.submit([candidate("R-1")])
        passage = self.passages_of(self.organisation)
        passage.partner_id.sudo().accrochage_nir = "2880369123045"
        holder = passage.partner_id.with_user(self.partner_user)
        with self.assertRaises(AccessError):
            holder.read(["accrochage_nir"])
        with self.assertRaises(AccessError):
            holder.read(["accrochage_birth_name"])

    def test_the_partner_cannot_create_a_passage_out_of_its_habilitations(self):
        holder = self.env["res.partner"].create({"name": "X"})
        with self.assertRaises(AccessError):
            self.env["accrochage.passage"].with_user(self.partner_user).create(
                {
                    "partner_id": holder.id,
                    "certification_id": self.other_certification.id,
                    "partner_organisation_id": self.organisation.id,
                }
            )
        with self.assertRaises(AccessError):
            self.env["accrochage.passage"].with_user(self.partner_user).create(
                {
                    "partner_id": holder.id,
                    "certification_id": self.certification.id,
                    "partner_organisation_id": self.other_organisation.id,
                }
            )

    def test_the_partner_reads_only_its_organisation(self):
        Organisation = self.env["accrochage.partner.organisation"].with_user(self.partner_user)
        self.assertEqual(Organisation.search([]), self.organisation)

    def test_status_reads_back_the_cdc_answer(self):
        self.submit([candidate("R-1"), candidate("R-2")])
        accepted, rejected = self.passages_of(self.organisation).sorted("partner_reference")
        now = fields.Datetime.now()
        accepted.with_context(accrochage_receipt=True).write({"state": "accepted", "cdc_date": now})
        rejected.with_context(accrochage_receipt=True).write(
            {
                "state": "rejected",
                "cdc_message": "Titulaire non trouvé",
                "cdc_hint": "Vérifiez le jour de naissance",
                "cdc_date": now,
            }
        )
        status = (
            self.env["accrochage.passage"].with_user(self.partner_user).partner_status(since=None)
        )
        entries = {entry["reference"]: entry for entry in status["passages"]}
        self.assertEqual(entries["R-1"]["state"], "accepted")
        self.assertEqual(entries["R-1"]["label"], "Accepté par la CDC")
        self.assertIsNone(entries["R-1"]["cdc_message"])
        self.assertEqual(entries["R-2"]["cdc_message"], "Titulaire non trouvé")
        self.assertEqual(entries["R-2"]["cdc_hint"], "Vérifiez le jour de naissance")
        later = fields.Datetime.to_string(now + datetime.timedelta(hours=1))
        again = self.env["accrochage.passage"].with_user(self.partner_user).partner_status(later)
        self.assertEqual(again["passages"], [])
        other = self.env["accrochage.passage"].with_user(self.other_user).partner_status()
        self.assertEqual(other["passages"], [])

    def test_status_refuses_a_bad_date(self):
        with self.assertRaisesRegex(UserError, "“since” must be a date-time"):
            self.env["accrochage.passage"].with_user(self.partner_user).partner_status("hier")


class _Recorder:
    """Stands for HttpsTransport: records what it is built with."""

    built = []

    def __init__(self, url, **options):
        _Recorder.built.append((url, options))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def send(self, data, filename=None):
        return None


@tagged("post_install", "-at_install")
class TestPartnerSecrets(PartnerCase):
    def test_tokens_and_keys_are_for_managers_only(self):
        self.env.company.write(
            {
                "accrochage_transport_token": "jeton-secret",
                "accrochage_certifier_api_key": "cle-secrete",
            }
        )
        company = self.env.company.with_user(self.user_certif)
        for name in ("accrochage_transport_token", "accrochage_certifier_api_key"):
            with self.assertRaises(AccessError):
                company.read([name])
        manager = self.env.company.with_user(self.user_manager)
        self.assertEqual(manager.accrochage_certifier_api_key, "cle-secrete")
        self.assertEqual(manager.accrochage_transport_token, "jeton-secret")

    def test_the_deposit_upload_sends_the_token(self):
        from unittest.mock import patch

        self.env.company.write(
            {
                "accrochage_transport_url": "https://relais.example.org/depot",
                "accrochage_transport_token": "jeton-secret",
            }
        )
        deposit = self.env["accrochage.deposit"]._create_from_passages(self._make_ready_passages(1))
        deposit._generate()
        _Recorder.built = []
        with patch("accrochage.transport.HttpsTransport", _Recorder):
            deposit.with_user(self.user_certif).action_send()
        self.assertEqual(deposit.state, "sent")
        self.assertEqual(
            _Recorder.built, [("https://relais.example.org/depot", {"token": "jeton-secret"})]
        )

    def test_the_ca_bundle_and_client_certificate_are_files_while_sending(self):
        import os
        from unittest.mock import patch

        self.env.company.write(
            {
                "accrochage_transport_url": "https://relais.example.org/depot",
                "accrochage_transport_ca": "-----BEGIN CERTIFICATE-----\nCA\n",
                "accrochage_transport_client_cert": "-----BEGIN CERTIFICATE-----\nME\n",
            }
        )
        seen = {}

        class Reading(_Recorder):
            def __init__(self, url, **options):
                for name in ("ca_bundle", "cert"):
                    with open(options[name], encoding="ascii") as pem:
                        seen[name] = (options[name], pem.read())

        deposit = self.env["accrochage.deposit"]._create_from_passages(self._make_ready_passages(1))
        deposit._generate()
        with patch("accrochage.transport.HttpsTransport", Reading):
            deposit.action_send()
        self.assertEqual(deposit.state, "sent")
        self.assertEqual(seen["ca_bundle"][1], "-----BEGIN CERTIFICATE-----\nCA\n")
        self.assertEqual(seen["cert"][1], "-----BEGIN CERTIFICATE-----\nME\n")
        self.assertFalse(os.path.exists(seen["ca_bundle"][0]), "the PEM file is left behind")
        with self.assertRaises(AccessError):
            self.env.company.with_user(self.user_certif).read(["accrochage_transport_client_cert"])
        self.assertNotIn("jeton-secret", " ".join(deposit.message_ids.mapped("body")))


@tagged("post_install", "-at_install")
class TestPartnerFrench(PartnerCase):
    def test_the_partner_reads_refusals_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["accrochage_certificateur"], ["fr_FR"], overwrite=True
        )
        self.partner_user.lang = "fr_FR"
        self.env.company.accrochage_partner_max_candidates = 1
        passages = self.env["accrochage.passage"].with_user(self.partner_user)
        with self.assertRaisesRegex(UserError, "2 candidats dans une seule demande, au-delà des 1"):
            passages.with_context(lang="fr_FR").partner_submit([candidate("A"), candidate("B")])
        self.env.company.accrochage_partner_max_candidates = 10
        answer = passages.with_context(lang="fr_FR").partner_submit(
            [candidate("A", type="RS", code="RS5123")]
        )
        self.assertIn(
            "pas d'habilitation en vigueur pour RS5123",
            answer["candidates"][0]["findings"][0]["message"],
        )

    def test_the_partner_side_says_transmitted_on_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["accrochage_certificateur"], ["fr_FR"], overwrite=True
        )
        passage = self._make_ready_passages(1)
        self.assertFalse(passage.certifier_status_display)
        passage.write({"certifier_sent_date": "2026-11-20 09:30:00", "certifier_state": "accepted"})
        french = passage.with_context(lang="fr_FR", tz="Europe/Paris")
        self.assertEqual(
            french.certifier_status_display,
            "Accepté par la Caisse des Dépôts (transmis le 2026-11-20 10:30)",
        )


@tagged("post_install", "-at_install")
class TestPartnerTemplateImport(PartnerCase):
    def test_a_template_sent_by_a_partner_is_imported_as_its_passages(self):
        import base64

        from .test_import import HEADER, row

        data = (HEADER + row("TPL-1") + "\n").encode()
        wizard = (
            self.env["accrochage.passage.import"]
            .with_user(self.user_certif)
            .create(
                {
                    "file": base64.b64encode(data),
                    "filename": "partenaire.csv",
                    "partner_organisation_id": self.organisation.id,
                }
            )
        )
        wizard.action_preview()
        wizard.action_confirm()
        passage = self.env["accrochage.passage"].search([("id_technique", "=", "TPL-1")])
        self.assertEqual(passage.partner_organisation_id, self.organisation)
        self.organisation.invalidate_recordset()
        self.assertEqual(self.organisation.passage_received_count, 1)


@tagged("post_install", "-at_install")
class TestPartnerApiDoc(PartnerCase):
    def test_odoos_api_doc_reads_the_methods_documentation(self):
        """What Odoo's api_doc shows, where installed: parameters, returns, raises."""
        try:
            from odoo.addons.api_doc.controllers.api_doc import parse_signature
        except ImportError:
            self.skipTest("api_doc is not in this Odoo")
        passage_class = type(self.env["accrochage.passage"])
        submit = parse_signature(passage_class.partner_submit).as_dict()
        self.assertEqual(list(submit["parameters"]), ["candidates"])
        self.assertIn("reference", submit["parameters"]["candidates"]["doc"])
        self.assertEqual(submit["api"], ["model"])
        self.assertIn("UserError", submit["raise"])
        status = parse_signature(passage_class.partner_status).as_dict()
        self.assertIn("until", status["parameters"]["since"]["doc"])
