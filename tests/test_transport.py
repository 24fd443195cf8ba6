"""The HTTPS uploader, against a local HTTP server running in a thread."""

import http.server
import socket
import threading
import time

import pytest
import requests

from accrochage.exceptions import RetryableTransportError, TransportError
from accrochage.transport import HttpsTransport, TransportResult

DEPOSIT = b'<?xml version="1.0"?><flux/>'


class _Handler(http.server.BaseHTTPRequestHandler):
    received = []
    answers = {
        "/ok": (201, "reçu"),
        "/bad": (400, "champ manquant"),
        "/auth": (401, ""),
        "/big": (413, ""),
        "/moved": (302, ""),
        "/limit": (429, ""),
        "/busy": (503, ""),
    }

    def log_message(self, *args):  # keep the test output quiet
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).received.append((self.path, dict(self.headers), body))
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path == "/reset":
            self.close_connection = True
            return  # no answer at all: the client sees the connection drop
        try:
            self._answer(*self.answers.get(self.path, (200, "ok")))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (timeout test)

    def _answer(self, status, text):
        payload = text.encode("utf-8")
        self.send_response(status)
        if status == 503:
            self.send_header("Retry-After", "120")
        if status == 302:
            self.send_header("Location", "https://ailleurs.example/")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    _Handler.received = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_upload_sends_the_file_with_its_name_and_token(server, tmp_path):
    path = tmp_path / "depot-20260126.xml"
    path.write_bytes(DEPOSIT)
    with HttpsTransport(server + "/ok", token="s3cret", timeout=5) as transport:
        result = transport.send(path)
    assert result == TransportResult(201, "reçu")
    ((where, headers, body),) = _Handler.received
    assert where == "/ok"
    assert headers["Authorization"] == "Bearer s3cret"
    assert b'filename="depot-20260126.xml"' in body and DEPOSIT in body


def test_bytes_need_a_file_name(server):
    transport = HttpsTransport(server + "/ok", timeout=5)
    assert transport.send(DEPOSIT, "a.xml").status_code == 201
    assert "Authorization" not in _Handler.received[0][1]
    with pytest.raises(TransportError, match="nom du fichier"):
        transport.send(DEPOSIT)
    transport.close()


@pytest.mark.parametrize(
    "path, status, match",
    [
        ("/bad", 400, "corrigez"),
        ("/auth", 401, "jeton"),
        ("/big", 413, "découpez"),
        ("/moved", 302, "redirige"),
    ],
)
def test_client_errors_are_final(server, path, status, match):
    with pytest.raises(TransportError, match=match) as caught:
        HttpsTransport(server + path, timeout=5).send(DEPOSIT, "a.xml")
    assert not isinstance(caught.value, RetryableTransportError)
    assert caught.value.status_code == status and not caught.value.retryable
    assert "champ manquant" not in str(caught.value)  # the body stays out of messages


@pytest.mark.parametrize("path, status", [("/limit", 429), ("/busy", 503)])
def test_server_errors_and_rate_limits_are_retryable(server, path, status):
    with pytest.raises(RetryableTransportError, match=f"HTTP {status}") as caught:
        HttpsTransport(server + path, timeout=5).send(DEPOSIT, "a.xml")
    assert caught.value.retryable and caught.value.status_code == status
    assert caught.value.retry_after == ("120" if status == 503 else None)


def test_timeout_is_retryable_and_bounded(server):
    started = time.monotonic()
    with pytest.raises(RetryableTransportError, match="0.3 s"):
        HttpsTransport(server + "/slow", timeout=0.3).send(DEPOSIT, "a.xml")
    assert time.monotonic() - started < 1.4


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_dropped_or_refused_connection_is_retryable(server):
    with pytest.raises(RetryableTransportError, match="Connexion"):
        HttpsTransport(server + "/reset", timeout=5).send(DEPOSIT, "a.xml")
    with pytest.raises(RetryableTransportError, match="Connexion"):
        HttpsTransport(f"http://127.0.0.1:{_closed_port()}/", timeout=2).send(DEPOSIT, "a.xml")


def test_other_request_failures_are_final():
    class Broken(requests.Session):
        def post(self, *args, **kwargs):
            raise requests.exceptions.InvalidHeader("bad header")

    transport = HttpsTransport("https://depot.example/api", session=Broken())
    with pytest.raises(TransportError, match="InvalidHeader") as caught:
        transport.send(DEPOSIT, "a.xml")
    assert not caught.value.retryable


@pytest.mark.parametrize(
    "url", ["http://depot.example/upload", "ftp://localhost/x", "https://", "", None]
)
def test_only_https_or_local_http_urls(url):
    with pytest.raises(TransportError, match="https://"):
        HttpsTransport(url)


def test_local_and_https_urls_are_accepted():
    assert HttpsTransport("https://depot.example/api").url == "https://depot.example/api"
    assert HttpsTransport("http://localhost:8069/x").url.startswith("http://localhost")


def test_missing_file_gives_a_french_error(tmp_path):
    with pytest.raises(TransportError, match="Impossible de lire"):
        HttpsTransport("https://depot.example/api").send(tmp_path / "absent.xml")
