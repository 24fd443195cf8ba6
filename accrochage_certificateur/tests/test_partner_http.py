"""Both ends of the partner exchange over HTTP, on the test server.

One database, two companies: the certifier (the main company) and a partner
organisation's own company, with its own certifier and certification
records and passages, whose settings point at the test server. The push
goes out through the engine's transport to Odoo's JSON-2 endpoint and the
certifier's API key auth, as between two databases.
"""

import base64
import datetime
import http.server
import json
import socket
import struct
import threading

from odoo.exceptions import UserError
from odoo.tests import HttpCase, get_db_name, tagged

from .common import AWARD, CONTINUING, receipt_xml
from .partner_common import PartnerCase, candidate

SUBMIT = "/json/2/accrochage.passage/partner_submit"
STATUS = "/json/2/accrochage.passage/partner_status"
FAST = {"retries": 1, "backoff": 0.01, "connect_timeout": 1, "read_timeout": 1, "deadline": 3}


class _Faulty(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.calls += 1
        fault = self.server.fault
        if fault == "500":
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif fault == "timeout":
            # longer than any of the client's timeouts (FAST): it gives up first, by
            # itself; waiting as long as its deadline raced with it (a flaky test)
            self.server.release.wait(30)
        elif fault == "reset":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"candidates": [')
            self.wfile.flush()
            raw = self.connection
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            raw.close()


@tagged("post_install", "-at_install")
class TestPartnerExchangeHttp(PartnerCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner_company = cls.env["res.company"].create({"name": "Formations Rhône (OF)"})
        partner_certifier = cls.env["accrochage.certifier"].create(
            {
                "partner_id": cls.env["res.partner"]
                .create({"name": "Institut de test", "is_company": True})
                .id,
                "id_client": "12ABC345",
                "id_contrat": "MCFCER000123",
                "company_id": cls.partner_company.id,
            }
        )
        cls.partner_certification = cls.env["accrochage.certification"].create(
            {
                "name": "Gestionnaire de paie",
                "certification_type": "RNCP",
                "code": "RNCP34999",
                "certifier_id": partner_certifier.id,
                "company_id": cls.partner_company.id,
            }
        )
        holders = cls.env["res.partner"].create(
            [
                cls._holder_vals(1, company_id=cls.partner_company.id),
                cls._holder_vals(2, company_id=cls.partner_company.id, accrochage_sex=False),
            ]
        )
        cls.partner_passages = cls.env["accrochage.passage"].create(
            [
                {
                    "company_id": cls.partner_company.id,
                    "partner_id": holder.id,
                    "certification_id": cls.partner_certification.id,
                    "award_date": AWARD,
                    "exam_date_start": AWARD - datetime.timedelta(days=2),
                    "exam_date_end": AWARD - datetime.timedelta(days=1),
                    "exam_mode": "EN_PRESENTIEL",
                    "exam_postcode": "69003",
                    "access_mode": CONTINUING,
                    "initiative": "OF",
                }
                for holder in holders
            ]
        )

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # the test harness compares the timeout with a number; the transport
        # gives requests a (connect, read) pair
        if isinstance(kw.get("timeout"), tuple):
            kw["timeout"] = max(kw["timeout"])
        return super()._request_handler(s, r, **kw)

    def setUp(self):
        super().setUp()
        self.partner_company.sudo().write(
            {"accrochage_certifier_url": self.base_url(), "accrochage_certifier_api_key": self.key}
        )

    # -- helpers -------------------------------------------------------------------
    def call(self, path, payload, key=None, raw=None):
        headers = {"Content-Type": "application/json"}
        if key is not False:
            headers["Authorization"] = f"Bearer {key or self.key}"
        data = raw if raw is not None else json.dumps(payload)
        response = self.url_open(path, data=data, headers=headers)
        self.env.invalidate_all()
        return response

    def transmit(self, passages=None, **context):
        passages = (passages or self.partner_passages).with_company(self.partner_company)
        passages = passages.with_context(accrochage_transport_options=FAST, **context)
        # the transport has no test-cursor cookie: let the test server take it
        with self.allow_requests(all_requests=True):
            result = passages.action_transmit_to_certifier()
        self.env.invalidate_all()
        return result

    def certifier_passages(self):
        return self.passages_of(self.organisation)

    # -- the whole exchange ------------------------------------------------------------
    def test_a_push_reaches_the_certifier_and_the_cdc_status_comes_back(self):
        notification = self.transmit()
        self.assertIn("1 ready, 1 incomplete, 0 refused", notification["params"]["message"])
        complete, incomplete = self.partner_passages
        self.assertTrue(complete.certifier_sent_date)
        self.assertEqual(complete.certifier_state, "ready")
        self.assertEqual(incomplete.certifier_state, "incomplete")
        self.assertIn("Sexe", incomplete.certifier_message)
        self.assertIn("transmitted on", complete.certifier_status_display)

        # the certifier sees one passage ready, one in "To fix"
        received = self.certifier_passages()
        self.assertEqual(
            set(received.mapped("partner_reference")),
            set(self.partner_passages.mapped("id_technique")),
        )
        ready = received.filtered(lambda p: p.partner_reference == complete.id_technique)
        self.assertEqual(ready.state, "ready")
        to_fix = self.env["accrochage.passage"].search(
            [("state", "in", ("incomplete", "rejected")), ("partner_organisation_id", "!=", False)]
        )
        self.assertEqual(to_fix.partner_reference, incomplete.id_technique)
        self.assertEqual(ready.company_id, self.env.company)
        self.assertEqual(
            ready.partner_id.accrochage_birth_name, complete.partner_id.accrochage_birth_name
        )

        # the certifier deposits it, the CDC accepts it
        deposit = self.env["accrochage.deposit"].browse(ready.action_build_deposit()["res_id"])
        self.assertEqual(deposit.state, "generated", deposit.error_message)
        deposit.action_mark_sent()
        wizard = self.env["accrochage.receipt.import"].create(
            {"file": base64.b64encode(receipt_xml(deposit.id_flux, ok=[ready.id_technique]))}
        )
        wizard.action_import()
        self.assertEqual(ready.state, "accepted")

        # the partner's cron reads it back
        with self.allow_requests(all_requests=True):
            self.env["accrochage.passage"]._cron_pull_certifier_status()
        self.env.invalidate_all()
        self.assertEqual(complete.certifier_state, "accepted")
        self.assertEqual(complete.certifier_deposit, deposit.name)
        self.assertTrue(complete.certifier_deposited_on)
        self.assertEqual(incomplete.certifier_state, "incomplete")
        self.assertTrue(self.partner_company.accrochage_certifier_pulled_on)

    def test_the_certifiers_database_is_named_when_set(self):
        self.partner_company.sudo().accrochage_certifier_database = get_db_name()
        self.assertIn("1 ready", self.transmit()["params"]["message"])
        self.partner_company.sudo().accrochage_certifier_database = get_db_name() + "-nope"
        with self.assertRaisesRegex(UserError, "HTTP 40"):
            self.transmit()

    def test_a_replayed_push_changes_nothing(self):
        self.transmit()
        received = self.certifier_passages()
        stamps = received.mapped("write_date")
        notification = self.transmit()
        self.assertIn("1 ready, 1 incomplete", notification["params"]["message"])
        self.assertEqual(self.certifier_passages(), received)
        self.assertEqual(received.mapped("write_date"), stamps)
        self.assertIn("2 unchanged", self.organisation.message_ids[0].body)

    def test_the_session_action_transmits_its_passages(self):
        session = self.env["event.event"].create(
            {
                "name": "Session partenaire",
                "company_id": self.partner_company.id,
                "date_begin": datetime.datetime.combine(AWARD, datetime.time(8)),
                "date_end": datetime.datetime.combine(AWARD, datetime.time(17)),
            }
        )
        self.partner_passages.event_id = session
        action = self.env.ref("accrochage_certificateur.action_server_event_transmit")
        run = action.with_context(
            active_model="event.event",
            active_ids=session.ids,
            active_id=session.id,
            accrochage_transport_options=FAST,
            allowed_company_ids=[self.partner_company.id, self.env.company.id],
        ).run
        with self.allow_requests(all_requests=True):
            result = run()
        self.env.invalidate_all()
        self.assertIn("1 ready, 1 incomplete", result["params"]["message"])
        self.assertEqual(len(self.certifier_passages()), 2)

    # -- faults at the certifier's door --------------------------------------------------
    def test_malformed_json_is_a_400_with_a_message(self):
        response = self.call(SUBMIT, None, raw='{"candidates": [')
        self.assertEqual(response.status_code, 400)
        self.assertIn("could not parse the body as json", response.json()["message"])
        self.assertFalse(self.certifier_passages())

    def test_unknown_revoked_and_expired_keys_are_refused(self):
        self.assertEqual(self.call(STATUS, {}, key="0" * 40).status_code, 401)
        self.assertEqual(self.call(STATUS, {}, key=False).status_code, 401)
        self.assertEqual(self.call(STATUS, {}).status_code, 200)
        self.organisation.with_user(self.user_manager).action_revoke_api_keys()
        self.assertEqual(self.call(STATUS, {}).status_code, 401)
        expired = self.organisation.with_user(self.user_manager).action_generate_api_key()
        expired = expired["context"]["default_key"]
        self.env.cr.execute(
            "UPDATE res_users_apikeys SET expiration_date = now() - interval '1 minute' "
            "WHERE user_id = %s",
            [self.partner_user.id],
        )
        self.env.registry.clear_cache()
        self.assertEqual(self.call(STATUS, {}, key=expired).status_code, 401)
        with self.assertRaisesRegex(UserError, "HTTP 401.*jeton.*Invalid apikey"):
            self.transmit()
        self.assertFalse(self.partner_passages.filtered("certifier_sent_date"))

    def test_another_organisations_key_reads_nothing_of_this_one(self):
        self.assertEqual(self.call(SUBMIT, {"candidates": [candidate("R-1")]}).status_code, 200)
        response = self.call(STATUS, {}, key=self.other_key)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["passages"], [])
        self.assertEqual(response.json()["organisation"], "Campus Loire")
        read = self.call(
            "/json/2/accrochage.passage/search_read",
            {"domain": [], "fields": ["partner_reference"]},
            key=self.other_key,
        )
        self.assertEqual(read.status_code, 200)
        self.assertEqual(read.json(), [])

    def test_a_non_habilitated_certification_is_refused(self):
        response = self.call(SUBMIT, {"candidates": [candidate("R-1", type="RS", code="RS5123")]})
        answer = response.json()
        self.assertEqual(answer["refused"], 1)
        self.assertIn(
            "no habilitation in force for RS5123", answer["candidates"][0]["findings"][0]["message"]
        )
        self.assertFalse(self.certifier_passages())

    def test_an_oversized_body_is_refused_whole(self):
        self.env.company.accrochage_partner_max_bytes = 2000
        response = self.call(SUBMIT, {"candidates": [candidate(f"R-{n}") for n in range(5)]})
        self.assertEqual(response.status_code, 422)
        self.assertIn("over the 2000 allowed", response.json()["message"])
        self.assertFalse(self.certifier_passages())
        self.env.company.accrochage_partner_max_bytes = 300
        with self.assertRaisesRegex(UserError, "HTTP 422.*over the 300 allowed"):
            self.transmit()
        self.assertFalse(self.partner_passages.filtered("certifier_sent_date"))

    def test_a_wrong_argument_is_a_422(self):
        response = self.call(SUBMIT, {"candidate": []})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(self.certifier_passages())

    # -- faults on the way: the partner side's transport ---------------------------------
    def _faulty_server(self, fault):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Faulty)
        server.daemon_threads = True
        server.fault, server.calls, server.release = fault, 0, threading.Event()
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()

        def stop():
            server.release.set()
            server.shutdown()
            server.server_close()

        self.addCleanup(stop)
        self.partner_company.sudo().accrochage_certifier_url = (
            f"http://127.0.0.1:{server.server_address[1]}"
        )
        return server

    def test_server_errors_timeouts_and_resets_are_retried_then_said(self):
        for fault, words in (
            ("500", "HTTP 500"),
            ("timeout", "n'a pas (répondu|terminé sa réponse)"),
            ("reset", "coupée pendant la réponse"),
        ):
            with self.subTest(fault=fault):
                server = self._faulty_server(fault)
                with self.assertRaisesRegex(UserError, words) as caught:
                    self.transmit()
                self.assertEqual(server.calls, 2, "one attempt, then one retry")
                self.assertIn("nothing was changed here", str(caught.exception))
                self.assertIn("retenté", str(caught.exception))
                self.assertNotIn(self.key, str(caught.exception))
                self.assertFalse(self.partner_passages.filtered("certifier_sent_date"))

    def test_no_certifier_configured(self):
        self.partner_company.sudo().accrochage_certifier_api_key = False
        with self.assertRaisesRegex(UserError, "Set the certifier's address and API key"):
            self.transmit()
