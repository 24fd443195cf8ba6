from odoo import fields, models


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    accrochage_survey_id = fields.Many2one(
        "accrochage.insertion.survey",
        "Insertion survey",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )

    def _mark_done(self):
        """A finished answer records the situation chosen on its insertion survey."""
        result = super()._mark_done()
        for answer in self.filtered("accrochage_survey_id"):
            chosen = answer.user_input_line_ids.suggested_answer_id.filtered(
                "accrochage_situation"
            )[:1]
            survey = answer.accrochage_survey_id.sudo()
            if chosen and survey.status != "answered":
                survey._record_answer(chosen.accrochage_situation, "survey")
        return result
