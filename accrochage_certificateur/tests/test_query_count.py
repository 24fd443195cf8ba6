from odoo.tests import tagged
from odoo.tools import SQL

from ..models.accrochage_passage import TRIMMED_ID
from .common import AccrochageCase, load_migration


@tagged("post_install", "-at_install")
class TestQueryCount(AccrochageCase):
    """Building a deposit costs the same number of queries for 50 or 500 passages."""

    def _build(self, passages):
        """The "Build deposit" button."""
        deposits = self.env["accrochage.deposit"]._build_from_passages(passages)
        self.env.flush_all()
        return deposits

    def _build_queries(self, passages):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        deposits = self._build(passages)
        count = self.cr.sql_log_count - before
        self.assertEqual(deposits.state, "generated", deposits.error_message)
        self.assertEqual(deposits.passage_count, len(passages))
        return count

    def test_query_count_does_not_grow(self):
        self._build_queries(self._distinct_holders(5))  # warm the caches
        small = self._build_queries(self._distinct_holders(50))
        large = self._build_queries(self._distinct_holders(500))
        self.assertEqual(small, large)
        passages = self._distinct_holders(500)
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(small):
            self._build(passages)

    def _recheck_queries(self, passages):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        passages.action_recheck()
        self.env.flush_all()
        self.assertEqual(set(passages.mapped("state")), {"ready"})
        return self.cr.sql_log_count - before

    def _distinct_holders(self, count):
        """Ready passages of as many holders, none of whom has a passage yet
        (the same holder twice is a warning, which names the other passage)."""
        passages = self._make_ready_passages(count)
        start = getattr(self, "holders_made", 0)
        self.holders_made = start + count
        for index, partner in enumerate(passages.partner_id, start=start):
            partner.write(
                {
                    "accrochage_birth_year": 1950 + index // 336,
                    "accrochage_birth_month": 1 + index // 28 % 12,
                    "accrochage_birth_day": 1 + index % 28,
                }
            )
        return passages

    def test_check_again_costs_the_same_for_50_or_1500_passages(self):
        """The ORM computes stored fields by 1,000 records: "Check again" does not."""
        self._recheck_queries(self._distinct_holders(5))  # warm the caches
        small = self._recheck_queries(self._distinct_holders(50))
        large = self._recheck_queries(self._distinct_holders(1500))
        self.assertEqual(small, large)

    def test_an_id_carried_by_another_passage_is_found_by_index(self):
        """Checking the ids against the other passages (carried twice, already
        accepted) does not trim and read every passage of the database."""
        plan = self._plan(
            SQL("SELECT id FROM accrochage_passage WHERE %s = ANY(%s)", TRIMMED_ID, ["P-1"])
        )
        self.assertIn("accrochage_passage_id_technique_trimmed_idx", plan)

    def test_the_idtechnique_keeps_the_indexes_it_needs_and_no_more(self):
        """An install upgraded from 19.0.1.2.0 loses the plain index; the ids are
        still found by the unique constraint's index and the trimmed one."""
        self.assertEqual(
            self._indexes_after_upgrade("19.0.1.3.0", "accrochage_passage", "id_technique"),
            {"accrochage_passage_id_technique_uniq", "accrochage_passage_id_technique_trimmed_idx"},
        )

    def test_the_lines_of_a_deposit_are_found_by_the_unique_index(self):
        """An install upgraded from 19.0.1.3.0 loses the lines' plain index on
        the deposit; a deposit's lines are still found by index, the unique
        constraint's, whose first column is the deposit."""
        self.assertEqual(
            self._indexes_after_upgrade("19.0.1.4.0", "accrochage_deposit_line", "deposit_id"),
            {"accrochage_deposit_line_deposit_passage_uniq"},
        )
        plan = self._plan(SQL("SELECT id FROM accrochage_deposit_line WHERE deposit_id = 1"))
        self.assertIn("accrochage_deposit_line_deposit_passage_uniq", plan)

    def _plan(self, query):
        """PostgreSQL's plan of ``query`` when an index can serve it."""
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute(SQL("EXPLAIN %s", query))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.env.cr.execute("RESET enable_seqscan")
        return plan

    def _indexes_after_upgrade(self, version, table, column):
        """The indexes on ``column`` once the ``version`` migration ran on a
        database that still has the plain index it drops."""
        migration = load_migration(version)
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS %s ON %s (%s)",
                SQL.identifier(migration.PLAIN_INDEX),
                SQL.identifier(table),
                SQL.identifier(column),
            )
        )
        migration.migrate(self.env.cr, "earlier")
        self.env.cr.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
        )
        return {name for name, definition in self.env.cr.fetchall() if f"({column}" in definition}
