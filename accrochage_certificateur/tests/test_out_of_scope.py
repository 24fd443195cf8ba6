import datetime

import psycopg2

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import AccrochageCase


@tagged("post_install", "-at_install")
class TestOutOfScope(AccrochageCase):
    """A holder the CDC cannot record (general guide V5 §2.4): never deposited, never late."""

    def test_out_of_scope_holder(self):
        passage = self._make_ready_passages(1)
        holder = passage.partner_id
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.cr.savepoint(),
        ):
            holder.accrochage_out_of_scope = True
            holder.flush_recordset()
        holder.write(
            {
                "accrochage_out_of_scope": True,
                "accrochage_out_of_scope_reason": "Sans NIR : réside à l'étranger",
            }
        )
        self.assertEqual(passage.state, "out_of_scope")
        with self.assertRaisesRegex(UserError, "ready"):
            passage.action_build_deposit()
        # overdue, and still not late nor reminded
        passage.award_date = datetime.date.today() - datetime.timedelta(days=200)
        self.env["accrochage.passage"]._cron_deadline_reminders()
        self.assertFalse(passage.activity_ids)
        self.env.flush_all()
        line = self.env["accrochage.report.session"].search([("passage_id", "=", passage.id)])
        self.assertEqual((line.out_of_scope_count, line.late_count), (1, 0))
        board = self.env["accrochage.report.deadline"].search([("passage_id", "=", passage.id)])
        self.assertEqual(board.deadline_bucket, "declared")
        # back in scope: ready again
        holder.accrochage_out_of_scope = False
        self.assertEqual(passage.state, "ready")

    def test_rare_states_show_in_the_kanban_only_when_used(self):
        passage = self._make_ready_passages(1)
        passage.partner_id.write(
            {"accrochage_out_of_scope": True, "accrochage_out_of_scope_reason": "Sans NIR"}
        )
        groups = (
            self.env["accrochage.passage"]
            .with_context(read_group_expand=True)
            .web_read_group([], ["state"], ["__count"])["groups"]
        )
        self.assertEqual(
            [group["state"] for group in groups],
            ["incomplete", "ready", "exported", "accepted", "rejected", "out_of_scope"],
        )
