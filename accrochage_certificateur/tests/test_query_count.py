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
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute(
            SQL("EXPLAIN SELECT id FROM accrochage_passage WHERE %s = ANY(%s)", TRIMMED_ID, ["P-1"])
        )
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.env.cr.execute("RESET enable_seqscan")
        self.assertIn("accrochage_passage_id_technique_trimmed_idx", plan)

    def test_the_idtechnique_keeps_the_indexes_it_needs_and_no_more(self):
        """An install upgraded from 19.0.1.2.0 loses the plain index; the ids are
        still found by the unique constraint's index and the trimmed one."""
        migration = load_migration("19.0.1.3.0")
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS %s ON accrochage_passage (id_technique)",
                SQL.identifier(migration.PLAIN_INDEX),
            )
        )
        migration.migrate(self.env.cr, "19.0.1.2.0")
        self.env.cr.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'accrochage_passage' "
            "AND indexdef LIKE '%%id_technique%%'"
        )
        self.assertEqual(
            {name for (name,) in self.env.cr.fetchall()},
            {"accrochage_passage_id_technique_uniq", "accrochage_passage_id_technique_trimmed_idx"},
        )

    def test_the_lines_of_a_deposit_are_found_by_the_unique_index(self):
        """An install upgraded from 19.0.1.3.0 loses the lines' plain index on
        the deposit; a deposit's lines are still found by index, the unique
        constraint's, whose first column is the deposit."""
        migration = load_migration("19.0.1.4.0")
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS %s ON accrochage_deposit_line (deposit_id)",
                SQL.identifier(migration.PLAIN_INDEX),
            )
        )
        migration.migrate(self.env.cr, "19.0.1.3.0")
        self.env.cr.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'accrochage_deposit_line' "
            "AND indexdef LIKE '%%(deposit_id%%'"
        )
        self.assertEqual(
            {name for (name,) in self.env.cr.fetchall()},
            {"accrochage_deposit_line_deposit_passage_uniq"},
        )
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute("EXPLAIN SELECT id FROM accrochage_deposit_line WHERE deposit_id = 1")
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.env.cr.execute("RESET enable_seqscan")
        self.assertIn("accrochage_deposit_line_deposit_passage_uniq", plan)
