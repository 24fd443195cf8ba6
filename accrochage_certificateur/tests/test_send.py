from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import AccrochageCase


class FakeTransport:
    """Stands for accrochage.transport.HttpsTransport; fails the first time."""

    calls = []
    fail_with = None

    def __init__(self, url, **_options):
        self.url = url

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def send(self, data, filename=None):
        if FakeTransport.fail_with:
            raise FakeTransport.fail_with
        FakeTransport.calls.append((self.url, filename, len(data)))


@tagged("post_install", "-at_install")
class TestSend(AccrochageCase):
    def _generated(self):
        passages = self._make_ready_passages(2)
        deposit = self.env["accrochage.deposit"]._create_from_passages(passages)
        deposit._generate()
        return deposit

    def test_manual_upload(self):
        """Without an endpoint, "send" records the upload made on the portal."""
        deposit = self._generated()
        self.assertFalse(deposit.transport_available)
        deposit.action_send()
        self.assertEqual(deposit.state, "sent")
        self.assertTrue(deposit.sent_date)

    def test_endpoint_error_then_retry(self):
        """A timeout or a 5xx: "Retry" offered, and the retry sends the file."""
        from accrochage.exceptions import RetryableTransportError

        self.company.accrochage_transport_url = "https://relais.example.org/depot"
        deposit = self._generated()
        FakeTransport.calls = []
        FakeTransport.fail_with = RetryableTransportError()
        with patch("accrochage.transport.HttpsTransport", FakeTransport):
            deposit.action_send()
            self.assertEqual(deposit.state, "send_error")
            self.assertTrue(deposit.error_message)
            self.assertTrue(deposit.retryable)
            self.assertEqual(deposit.deposit_file_ids.state, "generated")
            FakeTransport.fail_with = None
            deposit.action_retry()
        self.assertEqual(deposit.state, "sent")
        self.assertEqual(deposit.deposit_file_ids.state, "sent")
        self.assertTrue(deposit.deposit_file_ids.sent_date)
        self.assertEqual(deposit.send_attempts, 0)
        self.assertEqual(
            FakeTransport.calls,
            [
                (
                    "https://relais.example.org/depot",
                    deposit.file_ids.name,
                    deposit.file_ids.file_size,
                )
            ],
        )

    def test_final_error_is_not_retried(self):
        """A TLS failure or a 4xx is final: no "Retry", no cron; "Send" once fixed."""
        from accrochage.exceptions import TransportCertificateError

        self.company.accrochage_transport_url = "https://relais.example.org/depot"
        deposit = self._generated()
        FakeTransport.calls = []
        FakeTransport.fail_with = TransportCertificateError()
        with patch("accrochage.transport.HttpsTransport", FakeTransport):
            deposit.action_send()
            self.assertEqual(deposit.state, "send_failed")
            self.assertFalse(deposit.retryable)
            self.assertFalse(deposit.next_retry_date)
            self.assertIn("fix the cause", deposit.message_ids[0].body)
            with self.assertRaisesRegex(UserError, "not in a retryable error"):
                deposit.action_retry()
            with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=60.0):
                self.env["accrochage.deposit"]._cron_retry_sending()
            self.assertEqual(deposit.state, "send_failed")
            self.assertFalse(FakeTransport.calls)
            FakeTransport.fail_with = None
            deposit.action_send()
        self.assertEqual(deposit.state, "sent")
        self.assertEqual(len(FakeTransport.calls), 1)

    def test_cron_retries_with_backoff(self):
        from accrochage.exceptions import RetryableTransportError

        self.company.accrochage_transport_url = "https://relais.example.org/depot"
        deposit = self._generated()
        FakeTransport.calls = []
        FakeTransport.fail_with = RetryableTransportError()
        Deposit = self.env["accrochage.deposit"]
        with (
            patch("accrochage.transport.HttpsTransport", FakeTransport),
            # the cron commits after each deposit; a test may not
            patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=60.0),
        ):
            deposit.action_send()
            first = deposit.next_retry_date
            self.assertEqual(deposit.send_attempts, 1)
            self.assertAlmostEqual(
                (first - fields.Datetime.now()).total_seconds(), 15 * 60, delta=60
            )
            Deposit._cron_retry_sending()  # not yet due
            self.assertEqual(deposit.send_attempts, 1)
            deposit.next_retry_date = fields.Datetime.now() - timedelta(seconds=1)
            Deposit._cron_retry_sending()  # due, fails again: waits twice as long
            self.assertEqual(deposit.send_attempts, 2)
            self.assertAlmostEqual(
                (deposit.next_retry_date - fields.Datetime.now()).total_seconds(),
                30 * 60,
                delta=60,
            )
            FakeTransport.fail_with = None
            deposit.next_retry_date = fields.Datetime.now() - timedelta(seconds=1)
            Deposit._cron_retry_sending()
        self.assertEqual(deposit.state, "sent")
        self.assertFalse(deposit.next_retry_date)
        self.assertEqual(len(FakeTransport.calls), 1)

    def test_cancel_gives_passages_back(self):
        deposit = self._generated()
        passages = deposit.pending_passage_ids
        deposit.action_cancel()
        self.assertEqual(deposit.state, "cancel")
        self.assertFalse(passages.pending_deposit_id)
        self.assertEqual(set(passages.mapped("state")), {"ready"})

    def test_settings_drive_the_cron(self):
        cron = self.env.ref("accrochage_certificateur.ir_cron_accrochage_build_deposits")
        with Form(self.env["res.config.settings"]) as settings:
            settings.accrochage_auto_deposit = True
            settings.accrochage_deposit_interval = 3
            settings.accrochage_deposit_interval_type = "days"
            settings.accrochage_schema_version = "1.1.5"
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (3, "days"))
        self.assertEqual(self.company.accrochage_schema_version, "1.1.5")
