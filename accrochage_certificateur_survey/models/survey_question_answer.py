from odoo import fields, models

from odoo.addons.accrochage_certificateur.models.accrochage_insertion_survey import SITUATIONS


class SurveyQuestionAnswer(models.Model):
    _inherit = "survey.question.answer"

    accrochage_situation = fields.Selection(
        SITUATIONS,
        "Insertion situation",
        help="Choosing this answer records this situation on the holder's insertion survey.",
    )
