import datetime
import io

from odoo import api, fields, models
from odoo.tools.misc import formatLang

#: the indicators' CSV, one line per certification and year, in the order of the
#: figures a France compétences "promotions" table and a Qualiopi file ask for
CSV_RESULT_COLUMNS = (
    "enrolled_count",
    "present_count",
    "admitted_count",
    "failed_count",
    "absent_count",
    "dropped_count",
    "success_rate",
    "dropout_rate",
    "holder_count",
    "vae_count",
)
CSV_WAVE_COLUMNS = (
    "sent_count",
    "answered_count",
    "answer_rate",
    "insertion_rate",
    "field_rate",
)
CSV_DEPOSIT_COLUMNS = ("accepted_count", "rejected_count", "late_count", "accept_days")


class AccrochageBilanWizard(models.TransientModel):
    """Print the Bilan of some certifications for a year, or export their indicators."""

    _name = "accrochage.bilan.wizard"
    _description = "Certification report (Bilan) and indicators export"

    certification_ids = fields.Many2many(
        "accrochage.certification",
        string="Certifications",
        default=lambda self: self._default_certifications(),
        required=True,
    )
    year = fields.Integer(required=True, default=lambda self: fields.Date.context_today(self).year)
    first_year = fields.Integer(
        "Export from",
        required=True,
        default=lambda self: fields.Date.context_today(self).year - 4,
        help="The CSV export has one line per certification and year, from this year on.",
    )

    @api.model
    def _default_certifications(self):
        if self.env.context.get("active_model") == "accrochage.certification":
            return self.env["accrochage.certification"].browse(
                self.env.context.get("active_ids", [])
            )
        return self.env["accrochage.certification"].search(
            [("company_id", "in", self.env.companies.ids)]
        )

    def action_print(self):
        self.ensure_one()
        return self.env.ref(
            "accrochage_certificateur.action_report_accrochage_bilan"
        ).report_action(
            self.certification_ids, data={"year": self.year, "ids": self.certification_ids.ids}
        )

    def action_export_csv(self):
        """Download the indicators as CSV (formula-safe: the engine's writer)."""
        self.ensure_one()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"indicateurs-{self.first_year}-{self.year}.csv",
                "raw": self._indicators_csv(),
                "mimetype": "text/csv",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _indicators_csv(self):
        from accrochage.export import write_table_csv

        Indicators = self.env["accrochage.report.session"]
        labels = self._csv_labels()
        header = [self.env._("Certification code"), self.env._("Title"), self.env._("Year")]
        header += [labels[measure] for measure in self._csv_columns()]
        rows = Indicators._indicator_rows(
            [
                ("certification_id", "in", self.certification_ids.ids),
                ("reference_date", ">=", datetime.date(min(self.first_year, self.year), 1, 1)),
                ("reference_date", "<=", datetime.date(self.year, 12, 31)),
            ],
            ["certification_id", "reference_date:year"],
        )
        lines = [
            [
                row["certification_id"].code,
                row["certification_id"].name,
                row["reference_date:year"].year,
                *(self._csv_value(measure, row[measure]) for measure in self._csv_columns()),
            ]
            for row in sorted(
                rows, key=lambda row: (row["certification_id"].code, row["reference_date:year"])
            )
        ]
        out = io.BytesIO()
        write_table_csv(header, lines, out)
        return out.getvalue()

    def _csv_columns(self):
        """The measures of accrochage.report.session, in the file's order."""
        waves = [f"{wave}_{name}" for wave in ("first", "second") for name in CSV_WAVE_COLUMNS]
        return [*CSV_RESULT_COLUMNS, *waves, *CSV_DEPOSIT_COLUMNS]

    def _csv_labels(self):
        delays = self.env.company._accrochage_survey_delays()
        labels = {
            "enrolled_count": self.env._("Enrolled"),
            "present_count": self.env._("Present"),
            "admitted_count": self.env._("Admitted"),
            "failed_count": self.env._("Failed candidates"),
            "absent_count": self.env._("Absentees"),
            "dropped_count": self.env._("Dropouts"),
            "success_rate": self.env._("Success rate (%)"),
            "dropout_rate": self.env._("Dropout rate (%)"),
            "holder_count": self.env._("Number of holders"),
            "vae_count": self.env._("Of which through VAE"),
            "accepted_count": self.env._("Passages accepted by the CDC"),
            "rejected_count": self.env._("Passages rejected by the CDC"),
            "late_count": self.env._("Passages late"),
            "accept_days": self.env._("Mean days from award to acceptance"),
        }
        for wave in ("first", "second"):
            months = delays[wave]
            labels.update(
                {
                    f"{wave}_sent_count": self.env._(
                        "Surveys sent at %(months)s months", months=months
                    ),
                    f"{wave}_answered_count": self.env._(
                        "Answers at %(months)s months", months=months
                    ),
                    f"{wave}_answer_rate": self.env._(
                        "Answer rate at %(months)s months (%%)", months=months
                    ),
                    f"{wave}_insertion_rate": self.env._(
                        "Overall insertion rate at %(months)s months (%%)", months=months
                    ),
                    f"{wave}_field_rate": self.env._(
                        "Insertion rate in the targeted job at %(months)s months (%%)",
                        months=months,
                    ),
                }
            )
        return labels

    def _csv_value(self, measure, value):
        """Rates with one decimal in the reader's format (a comma in French); empty if none."""
        if value is None:
            return ""
        if measure.endswith("_rate") or measure == "accept_days":
            return formatLang(self.env, value, digits=1 if measure.endswith("_rate") else 0)
        return value
