import datetime

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.accrochage_certificateur.tests.common import AccrochageCase


@tagged("post_install", "-at_install")
class TestSurveyBridge(AccrochageCase):
    """With the Survey app, holders answer there and the answer lands on their survey."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.passage,) = cls._make_ready_passages(1)
        cls.passage.partner_id.email = "titulaire@example.com"
        Survey = cls.env["accrochage.insertion.survey"]
        cls.survey = Survey.create(Survey._vals_from_passage(cls.passage, "first", 6))
        cls.app_survey = cls.env.ref("accrochage_certificateur_survey.survey_insertion")

    def _answer(self, xmlid):
        return self.env.ref(f"accrochage_certificateur_survey.{xmlid}")

    def test_invitation_links_to_the_survey_app(self):
        url = self.survey.get_answer_url()
        (answer,) = self.survey.user_input_ids
        self.assertEqual(
            (answer.survey_id, answer.partner_id), (self.app_survey, self.survey.partner_id)
        )
        self.assertIn(f"/survey/start/{self.app_survey.access_token}", url)
        self.assertIn(answer.access_token, url)
        self.assertEqual(self.survey.get_answer_url(), url)  # one invitation per survey
        self.survey.with_user(self.user_certif).action_send()
        mail = self.env["mail.mail"].search(
            [("model", "=", self.survey._name), ("res_id", "=", self.survey.id)]
        )
        self.assertIn(url, mail.body_html)
        self.assertEqual(self.survey.status, "sent")

    def test_finished_answer_records_the_situation(self):
        self.survey.get_answer_url()
        answer = self.survey.user_input_ids
        question = self._answer("survey_insertion_situation")
        answer._save_lines(question, self._answer("survey_insertion_employed_elsewhere").id)
        self.assertEqual(self.survey.status, "to_send")  # not before the holder submits
        answer._mark_done()
        self.assertEqual(
            (self.survey.status, self.survey.situation, self.survey.source),
            ("answered", "employed_elsewhere", "survey"),
        )
        # the user's day (Paris), which the UTC date is not between 23:00 and midnight
        self.assertEqual(self.survey.answer_date, fields.Date.context_today(self.survey))
        self.assertEqual(self.survey.employed_count, 1)

    def test_archived_app_survey_falls_back_to_the_one_page_form(self):
        self.app_survey.active = False
        self.assertIn(f"/accrochage/insertion/{self.survey.id}/", self.survey.get_answer_url())


@tagged("post_install", "-at_install")
class TestSurveyBridgePublic(HttpCase):
    def test_holder_opens_the_survey_without_login(self):
        certifier = self.env["accrochage.certifier"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Institut sondage"}).id,
                "id_client": "12ABC345",
                "id_contrat": "MCFCER000123",
            }
        )
        certification = self.env["accrochage.certification"].create(
            {"name": "Sondage", "code": "RNCP34996", "certifier_id": certifier.id}
        )
        survey = self.env["accrochage.insertion.survey"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Titulaire sondage"}).id,
                "certification_id": certification.id,
                "award_date": datetime.date(2025, 3, 10),
            }
        )
        url = survey.get_answer_url()
        response = self.url_open(url[len(survey.get_base_url()) :])
        self.assertEqual(response.status_code, 200)
        self.assertIn("Your situation after your certification", response.text)
