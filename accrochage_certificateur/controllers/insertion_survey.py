from odoo import http
from odoo.http import request
from odoo.tools import consteq

from ..models.accrochage_insertion_survey import SITUATIONS

ROUTE = "/accrochage/insertion/<int:survey_id>/<string:token>"


class InsertionSurveyController(http.Controller):
    """The one-page public form a holder answers an insertion survey through.

    No login: the link carries the survey's id and its unguessable token,
    compared in constant time. The token works once: an answered survey
    refuses a second answer. The POST is CSRF-checked (Odoo's default for
    ``http`` routes; the page carries the session's token).
    """

    @http.route(ROUTE, type="http", auth="public", methods=["GET"], sitemap=False)
    def insertion_survey(self, survey_id, token, **_kwargs):
        survey = self._survey(survey_id, token)
        if not survey:
            return self._refuse("invalid", status=404)
        if survey.status == "answered":
            return self._refuse("answered", survey, status=410)
        return self._render("accrochage_certificateur.insertion_survey_form", survey)

    @http.route(ROUTE, type="http", auth="public", methods=["POST"], sitemap=False)
    def insertion_survey_answer(self, survey_id, token, situation=None, comment=None, **_kw):
        survey = self._survey(survey_id, token)
        if not survey:
            return self._refuse("invalid", status=404)
        if survey.status == "answered":
            return self._refuse("answered", survey, status=410)
        if situation not in dict(SITUATIONS):
            return self._render(
                "accrochage_certificateur.insertion_survey_form", survey, missing=True, status=400
            )
        survey._record_answer(situation, "form", comment=(comment or "").strip()[:2000] or None)
        return self._render("accrochage_certificateur.insertion_survey_thanks", survey)

    # ------------------------------------------------------------------
    def _survey(self, survey_id, token):
        """The survey this link opens, or an empty recordset (sudo: no one is logged in)."""
        survey = request.env["accrochage.insertion.survey"].sudo().browse(survey_id).exists()
        if not survey or not token or not consteq(survey.access_token or "", token):
            return survey.browse()
        return survey

    def _set_lang(self, survey=None):
        """The holder's language, else the certifier's: the page is French for a French holder."""
        Lang = request.env["res.lang"]
        for code in (
            survey and survey.partner_id.lang,
            survey and survey.company_id.partner_id.lang,
            "fr_FR",
        ):
            if code and Lang._get_code(code):
                request.update_context(lang=code)
                return

    def _render(self, template, survey, status=200, **values):
        self._set_lang(survey)
        response = request.render(
            template,
            {
                "survey": survey,
                "situations": survey._fields["situation"]._description_selection(request.env),
                "company": survey.company_id,
                **values,
            },
        )
        response.status_code = status
        return response

    def _refuse(self, reason, survey=None, status=404):
        self._set_lang(survey)
        if survey is None:
            survey = request.env["accrochage.insertion.survey"].sudo().browse()
        response = request.render(
            "accrochage_certificateur.insertion_survey_refused",
            {"reason": reason, "survey": survey, "company": survey.company_id},
        )
        response.status_code = status
        return response
