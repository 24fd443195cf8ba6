"""A small HTTPS uploader, for integrators who have an endpoint.

The Caisse des Dépôts publishes no deposit API (SPEC.md §4.2): files are
uploaded by hand on the certifiers' portal. This module is for an
integrator's own relay, a proxy, or a future API: it POSTs one file as
``multipart/form-data`` (field ``file``) and sorts failures the way the
deposit states need them:

- timeouts, connection errors, HTTP 429 and 5xx →
  :class:`~accrochage.exceptions.RetryableTransportError` (worth trying again;
  the messages say so without promising it: whether a retry happens is the
  caller's decision, which it states itself);
- other HTTP 4xx and 3xx, and a refused URL →
  :class:`~accrochage.exceptions.TransportError` (fix something first).

Only ``https://`` URLs are accepted, except ``http://`` on the local machine
(tests, a local relay). Neither the file content nor the response body goes
into an error message: a deposit holds personal data.

>>> try:
...     HttpsTransport("http://example.org/upload")
... except TransportError as error:
...     print(error.code, error.retryable)
transport False
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from .exceptions import RetryableTransportError, TransportError

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
CONTENT_TYPE = "application/xml"


@dataclass(frozen=True)
class TransportResult:
    status_code: int
    body_text: str


def _check_url(url):
    parts = urlsplit(url or "")
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return url
    raise TransportError(
        f"Adresse d'envoi refusée « {url} » : utilisez une adresse https:// "
        "(http:// n'est admis que vers localhost)."
    )


def _error(cls, message, status_code=None, retry_after=None):
    error = cls(message, detail=f"HTTP {status_code}" if status_code else None)
    error.status_code = status_code
    error.retry_after = retry_after
    return error


class HttpsTransport:
    """POST deposit files to ``url``.

    ``token``: sent as ``Authorization: Bearer``; ``cert``: a client
    certificate (path, or ``(cert, key)`` paths) as ``requests`` takes it;
    ``timeout``: seconds to connect and to wait for each read.
    """

    def __init__(self, url, *, token=None, cert=None, timeout=60, session=None):
        self.url = _check_url(url)
        self.token = token
        self.cert = cert
        self.timeout = timeout
        self._own_session = session is None
        self.session = session or requests.Session()

    def close(self):
        if self._own_session:
            self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

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

    def send(self, path_or_bytes, filename=None) -> TransportResult:
        """Upload one file; return the status and body of a 2xx answer."""
        content = self._content(path_or_bytes)
        if filename is None:
            if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
                raise TransportError("Indiquez le nom du fichier à envoyer.")
            filename = os.path.basename(os.fspath(path_or_bytes))
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = self.session.post(
                self.url,
                files={"file": (filename, content, CONTENT_TYPE)},
                headers=headers,
                cert=self.cert,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise _error(
                RetryableTransportError,
                f"Le serveur n'a pas répondu dans les {self.timeout} s (erreur passagère).",
            ) from None
        except requests.ConnectionError:
            raise _error(
                RetryableTransportError,
                "Connexion impossible ou interrompue avec le serveur d'envoi (erreur "
                "passagère) : vérifiez le réseau.",
            ) from None
        except requests.RequestException as error:
            raise _error(
                TransportError,
                f"Envoi impossible ({type(error).__name__}) : vérifiez l'adresse et le "
                "certificat client.",
            ) from None
        return self._result(response)

    def _result(self, response):
        status = response.status_code
        if 200 <= status < 300:
            return TransportResult(status, response.text)
        if status == 429 or status >= 500:
            raise _error(
                RetryableTransportError,
                f"Le serveur d'envoi est indisponible ou saturé (HTTP {status}, erreur passagère).",
                status,
                response.headers.get("Retry-After"),
            )
        if status in (401, 403):
            hint = "vérifiez le jeton ou le certificat d'accès"
        elif status == 413:
            hint = "le fichier est trop volumineux : découpez le dépôt en fichiers plus petits"
        elif status < 400:
            hint = "le serveur redirige ailleurs : configurez l'adresse finale"
        else:
            hint = "le serveur refuse le fichier : corrigez-le avant de le renvoyer"
        raise _error(TransportError, f"Envoi refusé (HTTP {status}) : {hint}.", status)
