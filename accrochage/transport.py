"""The HTTPS uploader, for integrators who have an endpoint.

The Caisse des Dépôts publishes no deposit API (SPEC.md §4.2): files are
uploaded by hand on the certifiers' portal. This module is for an
integrator's own relay, a proxy, a partner's certifier, or a future API.

**The exchange.** One file is POSTed as ``multipart/form-data`` (field
``file``), with ``Idempotency-Key: <idFlux>`` on every attempt (the same
file sent twice, e.g. after "accepted, then connection reset", must be
stored once by the server) and, when configured, ``Authorization: Bearer``
or a client certificate. The documented answer is a 2xx with a JSON object
(``Content-Type: application/json``); when it names ``idFlux`` it must be
the one sent. Anything else in a 2xx (an HTML page, another file's id) is
not a success.

**Failures**, sorted as the deposit states need them:

- connection errors, timeouts (connect, read, and the overall deadline of
  an attempt, so a server dripping one byte a second cannot hold it), a
  connection reset mid-answer, HTTP 408, 429 and 5xx are retried with
  exponential backoff and jitter (urllib3's ``Retry``), honouring
  ``Retry-After``; when retries run out:
  :class:`~accrochage.exceptions.RetryableTransportError` (``retryable``);
- a TLS failure (unknown CA, expired certificate, other host name, client
  certificate refused): :class:`~accrochage.exceptions.TransportCertificateError`,
  final, nothing sent; verification is always on (a CA bundle may be given);
- any other 4xx, a redirect (never followed, and never to ``http://``), an
  unexpected 2xx body, an answer over ``max_response_bytes``:
  :class:`~accrochage.exceptions.TransportError`, final.

Only ``https://`` URLs are accepted, except ``http://`` on the local machine
(a local relay). No message carries the token, the URL's credentials or
query, the file content or the response body (a deposit holds personal data),
except, for :meth:`HttpsTransport.post_json`, the ``message`` an API answers
with a refusal: Odoo's JSON-2 errors say in French what to fix.

>>> try:
...     HttpsTransport("http://example.org/upload")
... except TransportError as error:
...     print(error.code, error.retryable)
transport False
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from .exceptions import RetryableTransportError, TransportCertificateError, TransportError

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
CONTENT_TYPE = "application/xml"
#: statuses worth another attempt: the request was not processed
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: headers the transport sets itself
_OWN_HEADERS = frozenset(
    {"authorization", "idempotency-key", "content-type", "accept", "connection", "content-length"}
)
_ID_FLUX = re.compile(rb"<(?:\w+:)?idFlux>\s*([^<\s]{1,64})\s*</(?:\w+:)?idFlux>")


@dataclass(frozen=True)
class TransportResult:
    """A successful upload: the status, the server's answer, the attempts."""

    status_code: int
    body_text: str
    data: dict | None = None
    attempts: int = 1
    idempotency_key: str | None = None


class _JitteredRetry(Retry):
    """urllib3's Retry, with full exponential backoff from the first retry
    and a random jitter (half to all of the delay), capped."""

    MAX_BACKOFF = 30.0

    def get_backoff_time(self):
        failures = len(self.history)
        if failures == 0 or not self.backoff_factor:
            return 0.0
        delay = min(self.backoff_factor * (2 ** (failures - 1)), self.MAX_BACKOFF)
        return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 (not security)


# -- a per-attempt deadline: the connections of an attempt can be cut ----------


class _Attempt:
    """The sockets one attempt opened; ``expire`` shuts them down."""

    def __init__(self):
        self.connections, self.expired, self.lock = [], False, threading.Lock()

    def add(self, connection):
        with self.lock:
            self.connections.append(connection)
            expired = self.expired
        if expired:
            _shutdown(connection)

    def expire(self):
        with self.lock:
            self.expired = True
            connections = list(self.connections)
        for connection in connections:
            _shutdown(connection)


def _shutdown(connection):
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


_CURRENT = threading.local()


def _tracked(base):
    class Tracked(base):
        def connect(self):
            super().connect()
            attempt = getattr(_CURRENT, "attempt", None)
            if attempt is not None:
                attempt.add(self)

    Tracked.__name__ = "Tracked" + base.__name__
    return Tracked


class _TrackedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _tracked(HTTPSConnection)


class _TrackedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _tracked(HTTPConnection)


class _Adapter(HTTPAdapter):
    """No retry here (the transport's loop owns them); connections tracked."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _TrackedHTTPPool,
            "https": _TrackedHTTPSPool,
        }


# -- URLs and messages ------------------------------------------------------------


def _safe_url(url):
    """The URL without credentials, query or fragment, for messages."""
    parts = urlsplit(url or "")
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else "?"


def _check_url(url):
    try:
        parts = urlsplit(url or "")
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        parts = None
    if parts is not None and parts.hostname:
        if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS):
            return url
    raise TransportError(
        f"Adresse d'envoi refusée « {_safe_url(url) if parts else '?'} » : utilisez une "
        "adresse https:// (http:// n'est admis que vers localhost)."
    )


def _error(cls, message, status_code=None, retry_after=None, attempts=1):
    error = cls(message, detail=f"HTTP {status_code}" if status_code else None)
    error.status_code = status_code
    error.retry_after = retry_after
    error.attempts = attempts
    return error


def _id_flux_of(content):
    found = _ID_FLUX.search(content[:4096])
    return found.group(1).decode("ascii", "replace") if found else None


class _Failure(Exception):
    """One failed attempt, before deciding whether to retry."""

    def __init__(self, kind, error=None, response=None, message=None):
        """``error``: urllib3's error for the Retry (or the final error when
        ``kind`` is "final"); ``message``: the French reason."""
        super().__init__(kind)
        self.kind, self.error, self.response, self.message = kind, error, response, message


class HttpsTransport:
    """POST deposit files to ``url``.

    ``token``: sent as ``Authorization: Bearer``; ``cert``: a client
    certificate (path, or ``(cert, key)`` paths) as ``requests`` takes it;
    ``ca_bundle``: a CA file to trust instead of the system's (verification
    stays on). ``connect_timeout`` and ``read_timeout`` bound each socket
    operation, ``deadline`` a whole attempt (seconds); ``timeout`` sets both
    socket timeouts at once. ``retries`` attempts after the first, spaced by
    ``backoff`` × 2ⁿ seconds with jitter; a ``Retry-After`` longer than
    ``max_retry_after`` ends the call (retryable, ``error.retry_after`` set).
    """

    def __init__(
        self,
        url,
        *,
        token=None,
        cert=None,
        ca_bundle=None,
        timeout=None,
        connect_timeout=10.0,
        read_timeout=60.0,
        deadline=600.0,
        retries=4,
        backoff=1.0,
        max_retry_after=120.0,
        max_response_bytes=1_000_000,
        session=None,
    ):
        self.url = _check_url(url)
        self.token = token
        self.cert = cert
        self.verify = os.fspath(ca_bundle) if ca_bundle else True
        if timeout is not None:
            connect_timeout = read_timeout = timeout
        self.timeouts = (connect_timeout, read_timeout)
        self.deadline = deadline
        self.retries, self.backoff = retries, backoff
        self.max_retry_after = max_retry_after
        self.max_response_bytes = max_response_bytes
        self._own_session = session is None
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no proxy or netrc credentials picked up silently
        adapter = _Adapter(max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self.session = session

    def close(self):
        if self._own_session:
            self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- the upload -------------------------------------------------------------

    def _content(self, path_or_bytes):
        if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
            return bytes(path_or_bytes)
        try:
            with open(path_or_bytes, "rb") as handle:
                return handle.read()
        except OSError as error:
            raise TransportError(
                f"Impossible de lire le fichier à envoyer « {os.fspath(path_or_bytes)} » : "
                f"{error.strerror or error}."
            ) from None

    def _retry(self):
        return _JitteredRetry(
            total=self.retries,
            connect=self.retries,
            read=self.retries,
            status=self.retries,
            other=0,
            redirect=0,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"POST"}),
            backoff_factor=self.backoff,
            raise_on_status=False,
            respect_retry_after_header=True,
        )

    def send(self, path_or_bytes, filename=None, *, id_flux=None) -> TransportResult:
        """Upload one file; return the server's documented answer.

        ``id_flux`` is the idempotency key; by default the file's own
        ``idFlux`` (read from its first bytes), else a key drawn once for
        all the attempts of this call.
        """
        content = self._content(path_or_bytes)
        if filename is None:
            if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
                raise TransportError("Indiquez le nom du fichier à envoyer.")
            filename = os.path.basename(os.fspath(path_or_bytes))
        key = id_flux or _id_flux_of(content) or str(uuid.uuid4())
        return self._send({"files": {"file": (filename, content, CONTENT_TYPE)}}, {}, key)

    def post_json(self, payload, *, key=None, headers=None) -> TransportResult:
        """POST ``payload`` as a JSON body (an API call, e.g. Odoo's JSON-2).

        The same guarantees as :meth:`send`: retries, deadline, bounded
        answer, TLS always verified, a JSON object expected back. ``key`` is
        the idempotency key, the same for every attempt (drawn once when not
        given). A refusal (4xx) carries the server's own ``message`` when it
        answers one in JSON (Odoo's errors do): it says what to do.
        """
        try:
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        except (TypeError, ValueError) as error:
            raise TransportError(
                f"Données impossibles à envoyer en JSON ({type(error).__name__}) : "
                "texte, nombres, booléens, listes et objets seulement."
            ) from None
        extra = {
            name: value
            for name, value in (headers or {}).items()
            if name.lower() not in _OWN_HEADERS
        }
        extra["Content-Type"] = "application/json"
        return self._send({"data": body}, extra, key or str(uuid.uuid4()), api=True)

    def _send(self, body, extra_headers, key, api=False):
        headers = {"Idempotency-Key": key, "Accept": "application/json", "Connection": "close"}
        headers.update(extra_headers)
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        retry, attempts = self._retry(), 0
        while True:
            attempts += 1
            try:
                status, text, data = self._attempt(body, headers, key, api)
                return TransportResult(status, text, data, attempts, key)
            except _Failure as failure:
                retry = self._next(retry, failure, attempts)

    def _next(self, retry, failure, attempts):
        """The Retry after this failure, having waited; or raise the final error."""
        raw = failure.response.raw if failure.response is not None else None
        if failure.kind == "final":
            raise failure.error
        try:
            retry = retry.increment(method="POST", url=self.url, response=raw, error=failure.error)
        except MaxRetryError:
            raise self._exhausted(failure, attempts) from None
        wait = retry.get_retry_after(raw) if raw is not None else None
        if wait is not None and wait > self.max_retry_after:
            raise self._exhausted(failure, attempts, retry_after=wait) from None
        time.sleep(wait if wait is not None else retry.get_backoff_time())
        return retry

    def _exhausted(self, failure, attempts, retry_after=None):
        status = failure.response.status_code if failure.response is not None else None
        if retry_after is None and failure.response is not None:
            header = failure.response.headers.get("Retry-After")
            retry_after = header if header else None
        # worth trying again; whether it is, and when, is the caller's to say
        later = "erreur passagère, l'envoi peut être retenté plus tard"
        if retry_after is not None:
            later += f" (le serveur demande d'attendre {retry_after} s)"
        return _error(
            RetryableTransportError,
            f"{failure.message} ({attempts} tentative(s)) : {later}.",
            status,
            retry_after,
            attempts,
        )

    def _attempt(self, body, headers, key, api=False):
        """One POST, its answer read within the deadline; raises _Failure."""
        attempt = _CURRENT.attempt = _Attempt()
        watchdog = threading.Timer(self.deadline, attempt.expire)
        watchdog.daemon = True
        watchdog.start()
        response = None
        try:
            response = self._post(body, headers, attempt)
            status = response.status_code
            if status in RETRY_STATUSES:
                raise _Failure(
                    "status",
                    response=response,
                    message=f"Le serveur d'envoi est indisponible ou saturé (HTTP {status})",
                )
            if not 200 <= status < 300:
                said = self._server_message(response, attempt) if api else None
                raise _Failure("final", _refusal(response, said))
            body = self._body(response, attempt)
            return status, *self._documented(response, body, key)
        finally:
            watchdog.cancel()
            _CURRENT.attempt = None
            if response is not None:
                response.close()

    def _post(self, body, headers, attempt):
        try:
            return self.session.post(
                self.url,
                **body,
                headers=headers,
                cert=self.cert,
                verify=self.verify,
                timeout=self.timeouts,
                allow_redirects=False,
                stream=True,
            )
        except requests.exceptions.SSLError as error:
            raise _Failure("final", _tls_error(error)) from None
        except requests.exceptions.ConnectTimeout:
            raise _Failure(
                "connect",
                ConnectTimeoutError("connect timeout"),
                message=f"Le serveur d'envoi ne répond pas (connexion de plus de "
                f"{self.timeouts[0]:g} s)",
            ) from None
        except requests.exceptions.ReadTimeout:
            raise _Failure(
                "read",
                ReadTimeoutError(None, self.url, "read timeout"),
                message=f"Le serveur n'a pas répondu dans les {self.timeouts[1]:g} s",
            ) from None
        except requests.exceptions.ConnectionError as error:
            if attempt.expired:
                raise self._too_slow() from None
            connected = bool(attempt.connections)
            raise _Failure(
                "read" if connected else "connect",
                ProtocolError("connection aborted")
                if connected
                else ConnectTimeoutError("connection failed"),
                message="Connexion impossible ou interrompue avec le serveur d'envoi "
                f"({_reason(error)}) ; vérifiez le réseau",
            ) from None
        except requests.RequestException as error:
            raise _Failure(
                "final",
                _error(
                    TransportError,
                    f"Envoi impossible ({type(error).__name__}) : vérifiez l'adresse d'envoi "
                    "et le certificat client.",
                ),
            ) from None

    def _too_slow(self):
        return _Failure(
            "read",
            ReadTimeoutError(None, self.url, "deadline"),
            message=f"Le serveur n'a pas terminé sa réponse dans les {self.deadline:g} s",
        )

    def _body(self, response, attempt):
        """The answer, read in chunks, never past ``max_response_bytes``."""
        limit = self.max_response_bytes
        too_big = _error(
            TransportError,
            f"La réponse du serveur dépasse {limit} octets : ce n'est pas la réponse "
            "attendue ; vérifiez l'adresse d'envoi. Le dépôt n'est pas confirmé.",
            response.status_code,
        )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _Failure("final", too_big)
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > limit:
                    raise _Failure("final", too_big)
                chunks.append(chunk)
        except (requests.exceptions.RequestException, ProtocolError, OSError):
            if attempt.expired:
                raise self._too_slow() from None
            raise self._cut() from None
        if attempt.expired:
            raise self._too_slow()
        if declared.isdigit() and size < int(declared):  # urllib3 1.26 does not check it
            raise self._cut()
        return b"".join(chunks)

    def _server_message(self, response, attempt):
        """The ``message`` of a JSON error answer (Odoo's), short; else None."""
        if response.status_code >= 500 or 300 <= response.status_code < 400:
            return None
        try:
            data = json.loads(self._body(response, attempt).decode("utf-8"))
        except (_Failure, ValueError, UnicodeDecodeError):
            return None
        message = data.get("message") if isinstance(data, dict) else None
        if not isinstance(message, str) or not message.strip():
            return None
        message = " ".join(message.split())
        return message if len(message) <= 400 else message[:399] + "…"

    @staticmethod
    def _cut():
        return _Failure(
            "read",
            ProtocolError("connection broken"),
            message="La connexion a été coupée pendant la réponse du serveur",
        )

    @staticmethod
    def _documented(response, body, key):
        """``(text, data)`` of the documented answer, or a final error."""
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        data = None
        if kind == "application/json" or kind.endswith("+json"):
            try:
                data = json.loads(body.decode(response.encoding or "utf-8"))
            except (ValueError, UnicodeDecodeError):
                data = None
        if not isinstance(data, dict):
            raise _Failure(
                "final",
                _error(
                    TransportError,
                    f"Le serveur a répondu HTTP {response.status_code} sans la réponse JSON "
                    f"attendue (reçu : {kind or 'type inconnu'}) : ce n'est sans doute pas "
                    "l'adresse de dépôt (page web, portail captif) ; vérifiez l'adresse "
                    "d'envoi. Le dépôt n'est pas confirmé.",
                    response.status_code,
                ),
            )
        echoed = data.get("idFlux")
        if echoed is not None and str(echoed) != key:
            raise _Failure(
                "final",
                _error(
                    TransportError,
                    "Le serveur a confirmé un autre fichier (idFlux différent) : le dépôt "
                    "n'est pas confirmé ; vérifiez l'adresse d'envoi.",
                    response.status_code,
                ),
            )
        return body.decode(response.encoding or "utf-8", "replace"), data


def _reason(error):
    """A short, secret-free reason for a connection error."""
    text = str(error)
    for needle, reason in (
        ("Connection refused", "connexion refusée"),
        ("Name or service not known", "nom de serveur inconnu"),
        ("nodename nor servname", "nom de serveur inconnu"),
        ("Temporary failure in name resolution", "nom de serveur introuvable"),
        ("reset by peer", "connexion réinitialisée"),
        ("Connection aborted", "connexion interrompue"),
        ("RemoteDisconnected", "le serveur a fermé la connexion"),
    ):
        if needle in text:
            return reason
    return "erreur réseau"


def _tls_error(error):
    """The final TLS error: about the server's certificate when the client
    refused it (urllib3 1.26 checks the host name itself), else the client's."""
    text = str(error)
    reasons = (
        ("expired", "il a expiré"),
        ("doesn't match", "il est établi pour un autre nom de serveur"),
        ("Hostname mismatch", "il est établi pour un autre nom de serveur"),
        ("IP address mismatch", "il est établi pour un autre nom de serveur"),
        ("self-signed", "son autorité de certification n'est pas reconnue"),
        ("unable to get local issuer", "son autorité de certification n'est pas reconnue"),
        ("CERTIFICATE_VERIFY_FAILED", "il n'a pas pu être vérifié"),
        ("certificate verify failed", "il n'a pas pu être vérifié"),
    )
    why = next((reason for needle, reason in reasons if needle in text), None)
    if why is None:
        message = (
            "La connexion sécurisée (TLS) avec le serveur d'envoi a échoué (certificat client "
            "manquant ou refusé, ou protocole incompatible). Rien n'a été envoyé : vérifiez "
            "le certificat client configuré."
        )
    else:
        message = (
            f"Certificat du serveur d'envoi refusé : {why}. Rien n'a été envoyé. Vérifiez "
            "l'adresse ; si le serveur utilise une autorité de certification interne, "
            "indiquez son fichier (ca_bundle). La vérification n'est jamais désactivée."
        )
    return _error(TransportCertificateError, message)


def _refusal(response, said=None):
    """The final error of a non-2xx answer other than those retried; ``said``:
    what the server answered (an API's French message), added as it is."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if 300 <= status < 400:
        if location.lower().startswith("http://"):
            hint = (
                "le serveur redirige vers une adresse http:// non chiffrée, refusée : "
                "configurez l'adresse https:// finale"
            )
        else:
            hint = "le serveur redirige ailleurs (non suivi) : configurez l'adresse finale"
    elif status in (401, 403):
        hint = "accès refusé : vérifiez le jeton ou le certificat d'accès (peut-être expiré)"
    elif status in (404, 405, 410):
        hint = (
            "l'adresse d'envoi est introuvable sur ce serveur : vérifiez l'URL configurée "
            "(le fichier n'est pas en cause)"
        )
    elif status == 409:
        hint = (
            "le serveur signale un conflit : ce fichier (même idFlux) a peut-être déjà été "
            "reçu ; vérifiez avant de le renvoyer"
        )
    elif status == 413:
        hint = "le fichier est trop volumineux pour le serveur : découpez le dépôt"
    elif status in (400, 415, 422):
        hint = (
            "le serveur refuse le contenu envoyé : vérifiez le fichier avec accrochage "
            "validate avant de le renvoyer"
        )
    else:
        hint = "le serveur refuse l'envoi"
    if said:
        hint += f". Le serveur répond : « {said} »"
    return _error(TransportError, f"Envoi refusé (HTTP {status}) : {hint}.", status)
