from odoo import api, fields, models

SURVEY_XMLID = "accrochage_certificateur_survey.survey_insertion"


class AccrochageInsertionSurvey(models.Model):
    _inherit = "accrochage.insertion.survey"

    user_input_ids = fields.One2many(
        "survey.user_input", "accrochage_survey_id", "Answers in the Survey app", readonly=True
    )

    @api.private
    def get_answer_url(self):
        """The holder's invitation to the Survey app's insertion survey (created once).

        The survey is "invited people only": the link carries the answer's own
        token. Without that survey (deleted, archived), the module's one-page
        form is used again.
        """
        self.ensure_one()
        survey = self.env.ref(SURVEY_XMLID, raise_if_not_found=False)
        if not survey or not survey.active:
            return super().get_answer_url()
        answer = self.sudo().user_input_ids.filtered(lambda a: a.survey_id == survey)[:1]
        if not answer:
            answer = survey.sudo()._create_answer(
                partner=self.partner_id, check_attempts=False, accrochage_survey_id=self.id
            )
        return f"{self.get_base_url()}{answer.get_start_url()}"
