import datetime
import re
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from .common import AccrochageCase

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def months_later(day, months):
    from accrochage.deadline import add_months

    return add_months(day, months)


@tagged("post_install", "-at_install")
class TestInsertionSurvey(AccrochageCase):
    """Surveys planned by the cron, answered by staff or by import, migrated from attendees."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Survey = cls.env["accrochage.insertion.survey"]
        cls.award = datetime.date(2025, 3, 10)
        cls.passage = cls._make_ready_passages(1)
        cls.passage.award_date = cls.award

    def test_cron_plans_one_survey_per_wave_once(self):
        first_due = months_later(self.award, 6)
        self.assertFalse(self.Survey._plan_surveys(today=first_due - datetime.timedelta(days=1)))
        planned = self.Survey._plan_surveys(today=first_due)
        self.assertEqual(len(planned), 1)
        self.assertEqual(
            (planned.partner_id, planned.certification_id, planned.wave, planned.status),
            (self.passage.partner_id, self.certification, "first", "to_send"),
        )
        self.assertEqual(planned.due_date, first_due)
        self.assertFalse(self.Survey._plan_surveys(today=first_due))  # once
        # the second wave, at the company's delay (12 months by default)
        second = self.Survey._plan_surveys(today=months_later(self.award, 12))
        self.assertEqual((second.wave, second.delay_months), ("second", 12))
        # a wave long overdue is not planned: nobody asks about "6 months" two years on
        other = self._make_ready_passages(1)
        other.award_date = datetime.date(2022, 1, 10)
        self.assertFalse(
            self.Survey._plan_surveys(today=datetime.date(2024, 6, 1)).filtered(
                lambda survey: survey.passage_id == other
            )
        )

    def test_delays_come_from_the_settings(self):
        self.company.accrochage_survey_first_months = 3
        planned = self.Survey._plan_surveys(today=months_later(self.award, 3))
        self.assertEqual((planned.wave, planned.delay_months), ("first", 3))

    def test_failed_attendee_gets_no_survey(self):
        registration = self._make_attendees(self.session, 1, result="failed")
        passage = self.env["accrochage.passage"].create(
            {
                "registration_id": registration.id,
                "partner_id": registration.partner_id.id,
                "certification_id": self.certification.id,
            }
        )
        passage.award_date = self.award
        planned = self.Survey._plan_surveys(today=months_later(self.award, 6))
        self.assertNotIn(passage, planned.passage_id)

    def test_cron_sends_then_closes_unanswered(self):
        self.passage.partner_id.email = "titulaire@example.com"
        today = months_later(self.award, 6)
        survey = self.Survey.create(self.Survey._vals_from_passage(self.passage, "first", 6))
        # the cron commits between its steps: not inside a test
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1e9):
            self.Survey._cron_insertion_surveys()
        self.assertEqual(survey.status, "sent")
        mail = self.env["mail.mail"].search(
            [("model", "=", survey._name), ("res_id", "=", survey.id)]
        )
        self.assertIn(survey.get_answer_url(), mail.body_html)
        self.assertEqual(mail.recipient_ids, self.passage.partner_id)
        # 30 days (the setting) without an answer
        self.assertFalse(self.Survey._close_unanswered(today=today))
        survey.sent_date = datetime.datetime.combine(today, datetime.time(9))
        closed = self.Survey._close_unanswered(today=today + datetime.timedelta(days=30))
        self.assertEqual((closed, survey.status), (survey, "no_answer"))

    def test_staff_types_an_answer(self):
        survey = self.Survey.create(self.Survey._vals_from_passage(self.passage, "first", 6))
        survey.with_user(self.user_certif).write({"situation": "training"})
        self.assertEqual(
            (survey.status, survey.source, survey.answer_date),
            ("answered", "staff", datetime.date.today()),
        )
        self.assertEqual((survey.answered_count, survey.employed_count), (1, 0))
        survey.situation = False  # typed by mistake
        self.assertEqual((survey.status, survey.source), ("to_send", False))

    def test_import_records_answers(self):
        survey = self.Survey.create(self.Survey._vals_from_passage(self.passage, "first", 6))
        xmlid = survey.export_data(["id"])["datas"][0][0]
        result = self.Survey.with_context(import_file=True).load(
            ["id", "situation", "answer_date"], [[xmlid, "employed_field", "2025-09-20"]]
        )
        self.assertFalse(result["messages"], result["messages"])
        self.assertEqual(
            (survey.status, survey.situation, survey.source, survey.answer_date),
            ("answered", "employed_field", "import", datetime.date(2025, 9, 20)),
        )

    def test_attendee_insertion_field_migrated_into_surveys(self):
        """The hand-typed field on the attendee (before surveys) becomes answered surveys."""
        late, early, unknown = self._make_attendees(self.session, 3)
        award = late.accrochage_award_date
        late.write(
            {
                "accrochage_insertion_status": "employed_field",
                "accrochage_insertion_date": months_later(award, 11),
            }
        )
        early.accrochage_insertion_status = "job_seeking"
        unknown.accrochage_insertion_status = "unknown"
        migrated = self.Survey._migrate_from_attendees()
        self.assertEqual(
            sorted((s.registration_id.id, s.wave, s.situation, s.source) for s in migrated),
            sorted(
                [
                    (late.id, "second", "employed_field", "attendee"),
                    (early.id, "first", "job_seeking", "attendee"),
                ]
            ),
        )
        self.assertFalse(self.Survey._migrate_from_attendees())  # safe to run twice


@tagged("post_install", "-at_install")
class TestInsertionSurveyForm(HttpCase):
    """The public one-page form, from a browser session that is not logged in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["accrochage_certificateur"], ["fr_FR"], overwrite=True
        )
        certifier = cls.env["accrochage.certifier"].create(
            {
                "partner_id": cls.env["res.partner"].create({"name": "Institut formulaire"}).id,
                "id_client": "12ABC345",
                "id_contrat": "MCFCER000123",
            }
        )
        certification = cls.env["accrochage.certification"].create(
            {"name": "Gestionnaire de paie", "code": "RNCP34997", "certifier_id": certifier.id}
        )
        holder = cls.env["res.partner"].create({"name": "Titulaire formulaire", "lang": "fr_FR"})
        cls.survey, cls.other = cls.env["accrochage.insertion.survey"].create(
            [
                {
                    "partner_id": holder.id,
                    "certification_id": certification.id,
                    "award_date": datetime.date(2025, 3, 10),
                    "status": "sent",
                    "wave": wave,
                    "delay_months": months,
                }
                for wave, months in (("first", 6), ("second", 12))
            ]
        )

    def _path(self, survey, token=None):
        return f"/accrochage/insertion/{survey.id}/{token or survey.access_token}"

    def _form(self, survey):
        response = self.url_open(self._path(survey))
        self.assertEqual(response.status_code, 200)
        return response, CSRF.search(response.text).group(1)

    def test_answer_from_a_public_session(self):
        response, csrf = self._form(self.survey)
        self.assertIn("Votre situation", response.text)
        self.assertIn("En poursuite de formation", response.text)  # a situation, in French
        response = self.url_open(
            self._path(self.survey),
            data={"csrf_token": csrf, "situation": "employed_field", "comment": "CDI"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Merci", response.text)
        self.assertEqual(
            (self.survey.status, self.survey.situation, self.survey.source, self.survey.comment),
            ("answered", "employed_field", "form", "CDI"),
        )
        # the link works once
        again = self.url_open(self._path(self.survey))
        self.assertEqual(again.status_code, 410)
        self.assertIn("déjà reçu une réponse", again.text)
        replay = self.url_open(
            self._path(self.survey), data={"csrf_token": csrf, "situation": "inactive"}
        )
        self.assertEqual(replay.status_code, 410)
        self.assertEqual(self.survey.situation, "employed_field")

    def test_wrong_token_refused(self):
        for path in (
            self._path(self.survey, "x" * 43),
            self._path(self.other, self.survey.access_token),  # another survey's token
            f"/accrochage/insertion/999999/{self.survey.access_token}",
        ):
            response = self.url_open(path)
            self.assertEqual(response.status_code, 404, path)
            self.assertIn("Ce lien n'est pas valide", response.text)

    def test_post_without_csrf_token_refused(self):
        self._form(self.other)
        response = self.url_open(self._path(self.other), data={"situation": "inactive"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.other.status, "sent")

    def test_no_choice_asks_again(self):
        _response, csrf = self._form(self.other)
        response = self.url_open(self._path(self.other), data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Choisissez une réponse", response.text)
        self.assertEqual(self.other.status, "sent")
