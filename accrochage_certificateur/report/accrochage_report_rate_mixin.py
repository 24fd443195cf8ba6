from odoo import models
from odoo.tools import SQL


class AccrochageReportRateMixin(models.AbstractModel):
    """Rates that every grouping computes as a ratio of sums.

    Odoo aggregates a measure group by group with its field's aggregator: the
    "avg" of per-line rates would give a session of 2 the weight of a session
    of 200, and a pivot total would average the rows' rates. A rate listed in
    ``_rates`` is instead computed in SQL, for every group the pivot, the
    graph, a grouped list or the Bilan asks for, as
    ``100 × SUM(numerator) / SUM(denominator)``, and is empty (never 0 %)
    when the denominator is 0: "nobody present" has no success rate.

    Each line also carries its own rate (100, 0 or empty) for the list view.
    """

    _name = "accrochage.report.rate.mixin"
    _description = "Rates aggregated as ratios of sums"

    #: {rate field: (numerator count field, denominator count field)}
    _rates = {}

    def _read_group_select(self, aggregate_spec, query):
        rate = self._rates.get(aggregate_spec.split(":")[0])
        if rate is None:
            return super()._read_group_select(aggregate_spec, query)
        numerator, denominator = (self._field_to_sql(self._table, name, query) for name in rate)
        return SQL("100.0 * SUM(%s) / NULLIF(SUM(%s), 0)", numerator, denominator)

    @classmethod
    def _rate_select(cls, alias):
        """SELECT terms of each line's own rates, from the counts of ``alias``."""
        return SQL(", ").join(
            SQL(
                "100.0 * %s / NULLIF(%s, 0) AS %s",
                SQL.identifier(alias, numerator),
                SQL.identifier(alias, denominator),
                SQL.identifier(rate),
            )
            for rate, (numerator, denominator) in cls._rates.items()
        )
