import datetime

from odoo import api, fields, models
from odoo.tools.misc import formatLang

from .bilan_chart import rate_chart_svg

#: years the Bilan's chart looks back over, the printed year included
HISTORY_YEARS = 5
#: the Bilan's tables, in order: the measures of accrochage.report.session they show
RESULT_MEASURES = (
    "enrolled_count",
    "present_count",
    "admitted_count",
    "failed_count",
    "absent_count",
    "dropped_count",
    "success_rate",
    "dropout_rate",
)
WAVE_MEASURES = (
    "sent_count",
    "answered_count",
    "answer_rate",
    "employed_count",
    "insertion_rate",
    "field_count",
    "field_rate",
)
DEPOSIT_MEASURES = (
    "holder_count",
    "no_passage_count",
    "incomplete_count",
    "ready_count",
    "deposited_count",
    "accepted_count",
    "rejected_count",
    "out_of_scope_count",
    "late_count",
    "accept_days",
    "accept_days_max",
)
SUCCESS_COLOUR, FIRST_COLOUR, SECOND_COLOUR = "#2e7d32", "#1565c0", "#90caf9"


class ReportAccrochageBilan(models.AbstractModel):
    """The "Bilan de certification": one certification, one year, for an auditor.

    Every figure comes from the indicators (accrochage.report.session), so
    the Bilan, the pivot and the CSV export never disagree.
    """

    _name = "report.accrochage_certificateur.report_bilan"
    _description = "Certification report (Bilan)"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        year = int(data.get("year") or fields.Date.context_today(self).year)
        # printed with a year (data), the web client sends the records in the context
        docids = docids or data.get("ids") or self.env.context.get("active_ids") or []
        certifications = self.env["accrochage.certification"].browse(docids)
        docs = []
        for certification in certifications:
            lang = self._lang(certification)
            docs.append(self.with_context(lang=lang)._bilan(certification, year) | {"lang": lang})
        return {
            "doc_ids": docids,
            "doc_model": "accrochage.certification",
            "docs": docs,
            "year": year,
        }

    def _lang(self, certification):
        """The certifier company's language, else the reader's: the Bilan is French."""
        partner_lang = certification.company_id.partner_id.lang
        return self.env["res.lang"]._get_code(partner_lang) or self.env.lang or "en_US"

    def _bilan(self, certification, year):
        Indicators = self.env["accrochage.report.session"]
        domain = [("certification_id", "=", certification.id)]
        this_year = _year_domain(year, year)
        sessions = Indicators._indicator_rows(
            domain + this_year + [("event_id", "!=", False)], ["event_id"]
        )
        (total,) = Indicators._indicator_rows(domain + this_year, [])
        history = {
            row["reference_date:year"].year: row
            for row in Indicators._indicator_rows(
                domain + _year_domain(year - HISTORY_YEARS + 1, year), ["reference_date:year"]
            )
        }
        years = list(range(year - HISTORY_YEARS + 1, year + 1))
        delays = certification.company_id._accrochage_survey_delays()
        waves = [
            {
                "label": self.env._("%(months)s months after the award", months=delays[wave]),
                "values": {name: total[f"{wave}_{name}"] for name in WAVE_MEASURES},
            }
            for wave in ("first", "second")
        ]
        series = [
            (self.env._("Success rate"), SUCCESS_COLOUR, "success_rate"),
            (
                self.env._("Insertion at %(months)s months", months=delays["first"]),
                FIRST_COLOUR,
                "first_insertion_rate",
            ),
            (
                self.env._("Insertion at %(months)s months", months=delays["second"]),
                SECOND_COLOUR,
                "second_insertion_rate",
            ),
        ]
        chart = rate_chart_svg(
            years,
            [
                (label, colour, {y: history.get(y, {}).get(name) for y in years})
                for label, colour, name in series
            ],
            format_value=self._format_rate,
        )
        return {
            "certification": certification,
            "company": certification.company_id,
            "year": year,
            "first_year": years[0],
            "sessions": [(row["event_id"], row) for row in sessions],
            "total": total,
            "waves": waves,
            "chart": chart,
            "result_measures": RESULT_MEASURES,
            "wave_measures": WAVE_MEASURES,
            "deposit_measures": DEPOSIT_MEASURES,
            "labels": self._labels(),
            "definitions": self._definitions(),
            "fmt": self._format,
            "printed_on": fields.Date.context_today(self),
        }

    def _labels(self):
        """Column headings: the indicator fields' labels, in the Bilan's language."""
        Indicators = self.env["accrochage.report.session"]
        described = Indicators.fields_get(attributes=["string"])
        labels = {name: described[name]["string"] for name in described}
        # the per-wave tables and the rates read better without the wave and the unit
        labels.update(
            sent_count=self.env._("Surveys sent"),
            answered_count=self.env._("Answers"),
            answer_rate=self.env._("Answer rate"),
            employed_count=self.env._("Employed"),
            insertion_rate=self.env._("Insertion rate"),
            field_count=self.env._("In the field"),
            field_rate=self.env._("Insertion in the field"),
            success_rate=self.env._("Success rate"),
            dropout_rate=self.env._("Dropout rate"),
        )
        return labels

    def _definitions(self):
        """Each rate and delay as the indicators' help texts define it."""
        Indicators = self.env["accrochage.report.session"]
        names = [
            "success_rate",
            "dropout_rate",
            "first_answer_rate",
            "first_insertion_rate",
            "first_field_rate",
            "second_insertion_rate",
            "late_count",
            "accept_days",
            "reference_date",
        ]
        described = Indicators.fields_get(names, ["string", "help"])
        return [(described[name]["string"], described[name].get("help", "")) for name in names]

    def _format_rate(self, value):
        if value is None:
            return "—"
        return f"{formatLang(self.env, value, digits=1)}\N{NO-BREAK SPACE}%"

    def _format(self, name, value):
        """A figure as the Bilan prints it: rates with one decimal, days rounded."""
        if value is None or value is False:
            return "—"
        if name.endswith("_rate"):
            return self._format_rate(value)
        if name.startswith("accept_days"):
            return formatLang(self.env, value, digits=0)
        return str(value)


def _year_domain(first, last):
    return [
        ("reference_date", ">=", datetime.date(first, 1, 1)),
        ("reference_date", "<=", datetime.date(last, 12, 31)),
    ]
