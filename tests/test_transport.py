"""The HTTPS uploader against a real local TLS server with a throwaway CA.

Each fault of issue 12 is played by the server; each test asserts what the
user (or the deposit's state) sees: success or not, retryable or final, the
French message, the number of attempts, and that no secret leaks.
"""

import datetime
import http.server
import json
import socket
import ssl
import struct
import threading
import time

import pytest
import requests

trustme = pytest.importorskip("trustme")

from accrochage.exceptions import (  # noqa: E402
    RetryableTransportError,
    TransportCertificateError,
    TransportError,
)
from accrochage.transport import HttpsTransport, TransportResult  # noqa: E402

DEPOSIT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<cpf:flux xmlns:cpf="urn:cdc:cpf:pc5:schema:1.0.0">'
    b"<cpf:idFlux>6e3c7378-bda4-497a-9bd6-dc203f903ed9</cpf:idFlux></cpf:flux>"
)
ID_FLUX = "6e3c7378-bda4-497a-9bd6-dc203f903ed9"
TOKEN = "s3cret-token-value"
FAST = {"connect_timeout": 1, "read_timeout": 1, "deadline": 3, "backoff": 0.01}


def json_answer(handler, status=200, payload=None, headers=()):
    body = json.dumps(payload if payload is not None else {"idFlux": ID_FLUX}).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers:
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def plain(status, headers=(), body=b""):
    def act(handler):
        handler.send_response(status)
        for name, value in headers:
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return act


def reset(handler):
    """Headers and half a body, then a TCP reset (SO_LINGER 0)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    handler.wfile.write(b'{"idFlux": "')
    handler.wfile.flush()
    raw = handler.connection
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True
    raw.close()


def drip(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    for _ in range(100):
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.25)


def silent(handler):
    time.sleep(3)


def huge(handler):
    """300 MB announced and streamed."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(300_000_000))
    handler.end_headers()
    chunk = b" " * 1_000_000
    for _ in range(300):
        handler.wfile.write(chunk)


def huge_chunked(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b" " * 1_000_000
    for _ in range(300):
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep the test output quiet
        pass

    def do_POST(self):
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        server.received.append((self.path, dict(self.headers), body))
        plan = server.plan
        action = plan[min(len(server.received), len(plan)) - 1]
        try:
            action(self)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass  # the client gave up first


class Server:
    def __init__(self, context, plan):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.received, self.httpd.plan = [], plan
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.port = self.httpd.server_address[1]

    @property
    def received(self):
        return self.httpd.received

    def url(self, host="localhost", path="/depot"):
        return f"https://{host}:{self.port}{path}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca, tmp_path_factory):
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def server_context(ca, *, identity="localhost", **options):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(identity, **options).configure_cert(context)
    return context


@pytest.fixture
def serve(ca):
    servers = []

    def start(*plan, context=None):
        server = Server(context or server_context(ca), list(plan))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def transport(server, ca_file, **options):
    settings = {**FAST, "token": TOKEN, "ca_bundle": ca_file, **options}
    return HttpsTransport(server.url(), **settings)


def no_secret(error):
    text = f"{error} {error.detail or ''}"
    assert TOKEN not in text and "s3cret" not in text


# -- success and what is sent ----------------------------------------------------


def test_upload_sends_file_token_and_idempotency_key(serve, ca_file):
    server = serve(json_answer)
    with transport(server, ca_file) as sender:
        result = sender.send(DEPOSIT, "depot-20260126.xml")
    assert isinstance(result, TransportResult) and result.status_code == 200
    assert result.data == {"idFlux": ID_FLUX} and result.attempts == 1
    ((path, headers, body),) = server.received
    assert path == "/depot" and headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Idempotency-Key"] == ID_FLUX == result.idempotency_key
    assert b'filename="depot-20260126.xml"' in body and DEPOSIT in body


def test_a_file_path_and_an_explicit_key(serve, ca_file, tmp_path):
    server = serve(lambda h: json_answer(h, 201, {"statut": "reçu"}))
    path = tmp_path / "f.xml"
    path.write_bytes(b"<flux/>")
    result = transport(server, ca_file).send(path, id_flux="K-1")
    assert result.status_code == 201 and server.received[0][1]["Idempotency-Key"] == "K-1"
    with pytest.raises(TransportError, match="nom du fichier"):
        transport(server, ca_file).send(b"<flux/>")
    with pytest.raises(TransportError, match="Impossible de lire"):
        transport(server, ca_file).send(tmp_path / "absent.xml")


def test_client_certificate_authentication(ca, ca_file, serve, tmp_path):
    context = server_context(ca)
    context.verify_mode = ssl.CERT_REQUIRED
    ca.configure_trust(context)
    server = serve(json_answer, context=context)
    client = ca.issue_cert("client@accrochage.example")
    cert = tmp_path / "client.pem"
    client.private_key_and_cert_chain_pem.write_to_path(str(cert))
    assert transport(server, ca_file, token=None, cert=str(cert)).send(DEPOSIT, "a.xml")
    with pytest.raises(TransportCertificateError, match="certificat client") as caught:
        transport(server, ca_file, token=None).send(DEPOSIT, "a.xml")
    assert not caught.value.retryable and len(server.received) == 1


# -- TLS: final, nothing sent ---------------------------------------------------


@pytest.mark.parametrize(
    "case, reason",
    [
        ("unknown CA", "autorité de certification"),
        ("expired", "expiré"),
        ("hostname mismatch", "autre nom"),
    ],
)
def test_certificate_failures_are_final_and_nothing_is_sent(ca, ca_file, serve, case, reason):
    if case == "unknown CA":
        context = server_context(trustme.CA())
    elif case == "expired":
        past = datetime.datetime(2020, 1, 1)
        context = server_context(ca, not_before=past, not_after=past + datetime.timedelta(1))
    else:
        context = server_context(ca, identity="ailleurs.example")
    server = serve(json_answer, context=context)
    started = time.monotonic()
    with pytest.raises(TransportCertificateError, match="Certificat du serveur") as caught:
        transport(server, ca_file, retries=3).send(DEPOSIT, "a.xml")
    assert reason in str(caught.value) and "Rien n'a été envoyé" in str(caught.value)
    assert not caught.value.retryable and caught.value.code == "transport_tls"
    assert server.received == [] and time.monotonic() - started < 2
    no_secret(caught.value)


def test_system_trust_does_not_know_the_throwaway_ca(serve):
    server = serve(json_answer)
    with pytest.raises(TransportCertificateError, match="autorité"):
        HttpsTransport(server.url(), **FAST).send(DEPOSIT, "a.xml")


# -- retried faults ------------------------------------------------------------------


def test_500s_then_success_with_the_same_key(serve, ca_file):
    server = serve(plain(500), plain(503), json_answer)
    result = transport(server, ca_file).send(DEPOSIT, "a.xml")
    assert result.status_code == 200 and result.attempts == 3
    keys = {headers["Idempotency-Key"] for _path, headers, _body in server.received}
    assert keys == {ID_FLUX} and len(server.received) == 3


def test_429_honours_retry_after(serve, ca_file):
    server = serve(plain(429, [("Retry-After", "1")]), json_answer)
    started = time.monotonic()
    result = transport(server, ca_file).send(DEPOSIT, "a.xml")
    assert result.attempts == 2 and time.monotonic() - started >= 0.95


def test_a_long_retry_after_ends_the_call_as_retryable(serve, ca_file):
    server = serve(plain(503, [("Retry-After", "3600")]))
    started = time.monotonic()
    with pytest.raises(RetryableTransportError, match="3600 s") as caught:
        transport(server, ca_file, max_retry_after=5).send(DEPOSIT, "a.xml")
    assert caught.value.retryable and caught.value.status_code == 503
    assert caught.value.retry_after == 3600 and time.monotonic() - started < 2


def test_408_is_retried(serve, ca_file):
    server = serve(plain(408), json_answer)
    assert transport(server, ca_file).send(DEPOSIT, "a.xml").attempts == 2


def test_retries_run_out_into_a_retryable_error(serve, ca_file):
    server = serve(plain(502))
    with pytest.raises(RetryableTransportError, match="HTTP 502") as caught:
        transport(server, ca_file, retries=2).send(DEPOSIT, "a.xml")
    assert "3 tentative(s)" in str(caught.value) and caught.value.attempts == 3
    assert len(server.received) == 3 and "retenté" in str(caught.value)
    no_secret(caught.value)


def test_connection_reset_mid_body_is_retried(serve, ca_file):
    server = serve(reset, json_answer)
    result = transport(server, ca_file).send(DEPOSIT, "a.xml")
    assert result.attempts == 2 and len(server.received) == 2
    assert {h["Idempotency-Key"] for _p, h, _b in server.received} == {ID_FLUX}


def test_read_timeout_is_retried_then_retryable(serve, ca_file):
    server = serve(silent)
    started = time.monotonic()
    with pytest.raises(RetryableTransportError, match="0.3 s") as caught:
        transport(server, ca_file, retries=1, read_timeout=0.3).send(DEPOSIT, "a.xml")
    assert caught.value.attempts == 2 and time.monotonic() - started < 3


def test_a_dripping_server_is_cut_at_the_deadline(serve, ca_file):
    server = serve(drip)
    started = time.monotonic()
    with pytest.raises(RetryableTransportError, match="0.8 s") as caught:
        transport(server, ca_file, retries=1, deadline=0.8).send(DEPOSIT, "a.xml")
    elapsed = time.monotonic() - started
    assert caught.value.attempts == 2 and 1.5 < elapsed < 4


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_refused_connection_is_retried_then_retryable():
    started = time.monotonic()
    with pytest.raises(RetryableTransportError, match="connexion refusée") as caught:
        HttpsTransport(f"https://127.0.0.1:{_closed_port()}/", **FAST, retries=2).send(
            DEPOSIT, "a.xml"
        )
    assert caught.value.attempts == 3 and time.monotonic() - started < 3


def test_connect_timeout_is_retryable(monkeypatch):
    def slow_connect(*args, **kwargs):
        raise requests.exceptions.ConnectTimeout("timed out")

    sender = HttpsTransport("https://depot.example/api", **FAST, retries=1)
    monkeypatch.setattr(sender.session, "post", slow_connect)
    with pytest.raises(RetryableTransportError, match="ne répond pas") as caught:
        sender.send(DEPOSIT, "a.xml")
    assert caught.value.attempts == 2


# -- final answers ---------------------------------------------------------------------


def test_a_300_mb_answer_is_not_read(serve, ca_file):
    for action in (huge, huge_chunked):
        server = serve(action)
        started = time.monotonic()
        with pytest.raises(TransportError, match="dépasse 1000000 octets") as caught:
            transport(server, ca_file).send(DEPOSIT, "a.xml")
        assert not caught.value.retryable and time.monotonic() - started < 5


def test_an_html_page_with_200_is_not_a_success(serve, ca_file):
    page = b"<html><body>Bienvenue</body></html>"
    server = serve(plain(200, [("Content-Type", "text/html")], page))
    with pytest.raises(TransportError, match="sans la réponse JSON attendue") as caught:
        transport(server, ca_file).send(DEPOSIT, "a.xml")
    assert not caught.value.retryable and "Bienvenue" not in str(caught.value)
    assert "text/html" in str(caught.value) and len(server.received) == 1


def test_an_answer_about_another_file_is_not_a_success(serve, ca_file):
    server = serve(lambda h: json_answer(h, 200, {"idFlux": "autre"}))
    with pytest.raises(TransportError, match="autre fichier"):
        transport(server, ca_file).send(DEPOSIT, "a.xml")


@pytest.mark.parametrize(
    "location, match",
    [("http://depot.example/api", "http:// non chiffrée"), ("https://ailleurs/", "non suivi")],
)
def test_redirects_are_not_followed(serve, ca_file, location, match):
    server = serve(plain(302, [("Location", location)]))
    with pytest.raises(TransportError, match=match) as caught:
        transport(server, ca_file).send(DEPOSIT, "a.xml")
    assert caught.value.status_code == 302 and not caught.value.retryable
    assert len(server.received) == 1


def test_404_says_the_address_is_wrong_not_the_file(serve, ca_file):
    server = serve(plain(404))
    with pytest.raises(TransportError, match="introuvable") as caught:
        transport(server, ca_file).send(DEPOSIT, "a.xml")
    message = str(caught.value)
    assert "URL" in message and "le fichier n'est pas en cause" in message
    assert "corrigez" not in message.lower() and not caught.value.retryable
    assert len(server.received) == 1


@pytest.mark.parametrize(
    "status, match",
    [
        (400, "accrochage validate"),
        (401, "jeton"),
        (403, "jeton"),
        (409, "déjà été reçu"),
        (413, "découpez"),
        (418, "refuse"),
    ],
)
def test_other_client_errors_are_final_and_never_retried(serve, ca_file, status, match):
    server = serve(plain(status, body=b"champ manquant: " + TOKEN.encode()))
    with pytest.raises(TransportError, match=match) as caught:
        transport(server, ca_file, retries=3).send(DEPOSIT, "a.xml")
    assert not isinstance(caught.value, RetryableTransportError)
    assert caught.value.status_code == status and len(server.received) == 1
    assert "champ manquant" not in str(caught.value)
    no_secret(caught.value)


def test_other_request_failures_are_final():
    class Broken(requests.Session):
        def post(self, *args, **kwargs):
            raise requests.exceptions.InvalidHeader("bad header")

    sender = HttpsTransport("https://depot.example/api", session=Broken())
    with pytest.raises(TransportError, match="InvalidHeader") as caught:
        sender.send(DEPOSIT, "a.xml")
    assert not caught.value.retryable


# -- URLs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://depot.example/upload", "ftp://localhost/x", "https://", "", None, "https://h:99999/"],
)
def test_only_https_or_local_http_urls(url):
    with pytest.raises(TransportError, match="https://"):
        HttpsTransport(url)


def test_refused_url_messages_hide_credentials():
    with pytest.raises(TransportError) as caught:
        HttpsTransport("http://user:motdepasse@depot.example/api?token=abc")
    assert "motdepasse" not in str(caught.value) and "abc" not in str(caught.value)
    assert "depot.example/api" in str(caught.value)


def test_local_and_https_urls_are_accepted():
    assert HttpsTransport("https://depot.example/api").url == "https://depot.example/api"
    assert HttpsTransport("http://localhost:8069/x").url.startswith("http://localhost")


# -- JSON API calls (the partner exchange over Odoo's JSON-2) --------------------


def test_post_json_sends_json_with_bearer_and_one_key_for_every_attempt(serve, ca_file):
    answer = {"received": 1, "candidates": [{"reference": "R-1", "status": "ready"}]}
    server = serve(plain(500), lambda h: json_answer(h, payload=answer))
    result = transport(server, ca_file).post_json({"candidates": [{"reference": "R-1"}]})
    assert result.data == answer and result.attempts == 2
    (path1, headers1, body1), (_path2, headers2, body2) = server.received
    assert headers1["Content-Type"] == "application/json"
    assert headers1["Authorization"] == f"Bearer {TOKEN}"
    assert json.loads(body1) == {"candidates": [{"reference": "R-1"}]} and body1 == body2
    assert headers1["Idempotency-Key"] == headers2["Idempotency-Key"] == result.idempotency_key


def test_post_json_refusal_says_the_servers_french_message(serve, ca_file):
    refusal = {"name": "odoo.exceptions.UserError", "message": "Trop de candidats : 600 > 500."}
    server = serve(lambda h: json_answer(h, status=422, payload=refusal))
    with pytest.raises(TransportError, match="Trop de candidats : 600 > 500") as caught:
        transport(server, ca_file).post_json({"candidates": []})
    assert not caught.value.retryable and len(server.received) == 1
    no_secret(caught.value)


def test_post_json_unknown_key_is_final_and_says_so(serve, ca_file):
    refusal = {"name": "werkzeug.exceptions.Unauthorized", "message": "Invalid apikey"}
    server = serve(lambda h: json_answer(h, status=401, payload=refusal))
    with pytest.raises(TransportError, match="HTTP 401.*jeton.*Invalid apikey") as caught:
        transport(server, ca_file).post_json({})
    assert not caught.value.retryable and len(server.received) == 1


def test_post_json_refusal_without_json_body_keeps_the_generic_hint(serve, ca_file):
    server = serve(plain(403, [("Content-Type", "text/html")], b"<html>non</html>"))
    with pytest.raises(TransportError, match=r"HTTP 403\) : accès refusé[^«]*\.$"):
        transport(server, ca_file).post_json({})


def test_post_json_refusal_with_a_blank_message(serve, ca_file):
    server = serve(lambda h: json_answer(h, status=400, payload={"message": "  "}))
    with pytest.raises(TransportError, match=r"HTTP 400\) : le serveur refuse le contenu[^«]*$"):
        transport(server, ca_file).post_json({})


def test_post_json_long_server_message_is_cut(serve, ca_file):
    server = serve(lambda h: json_answer(h, status=422, payload={"message": "x" * 1000}))
    with pytest.raises(TransportError) as caught:
        transport(server, ca_file).post_json({})
    assert "x" * 399 + "…" in str(caught.value) and "x" * 400 not in str(caught.value)


def test_post_json_refuses_what_json_cannot_say(serve, ca_file):
    server = serve(json_answer)
    with pytest.raises(TransportError, match="JSON"):
        transport(server, ca_file).post_json({"when": datetime.date(2026, 1, 1)})
    assert server.received == []


def test_post_json_timeouts_are_retried_then_retryable(serve, ca_file):
    server = serve(silent)
    with pytest.raises(RetryableTransportError) as caught:
        transport(server, ca_file, retries=1).post_json({})
    assert caught.value.attempts == 2 and len(server.received) == 2


def test_post_json_adds_headers_but_never_replaces_its_own(serve, ca_file):
    server = serve(lambda h: json_answer(h, payload={"ok": True}))
    transport(server, ca_file).post_json(
        {}, headers={"X-Odoo-Database": "certif", "Authorization": "Bearer autre"}
    )
    headers = server.received[0][1]
    assert headers["X-Odoo-Database"] == "certif"
    assert headers["Authorization"] == f"Bearer {TOKEN}"
