from unittest.mock import patch

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
            deposit.action_retry()
            self.assertEqual(deposit.state, "generated")
            FakeTransport.fail_with = None
            deposit.action_send()
        self.assertEqual(deposit.state, "sent")
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
