"""Errors raised by the engine.

Mirrors python-stdnum's hierarchy: one base class (a ``ValueError``) that is
never raised itself, and a few kinds. Each error carries a stable ``code``,
the dictionary field it concerns (when any) and a French message that says
what to fix, so the CLI and the Odoo addon map errors without parsing text.

A kind gives a default ``code``; an instance may carry a finer one (the NIR
module raises ``InvalidChecksum(code="nir_checksum")``), so a caller can
catch a kind and still tell the cases apart.

>>> error = InvalidComponent("Le mois 13 n'existe pas.", field="moisNaissance",
...                          dico_id="8.7", code="birth_month")
>>> isinstance(error, ValueError), error.code, error.field, str(error)
(True, 'birth_month', 'moisNaissance', "Le mois 13 n'existe pas.")
>>> InvalidChecksum().code, str(InvalidChecksum())
('checksum', 'La clé de contrôle ne correspond pas.')
"""

from contextlib import contextmanager


class AccrochageError(ValueError):
    """Base class of every error the engine raises."""

    code = "accrochage"
    message = "Erreur de l'accrochage certificateur."

    def __init__(self, message=None, *, field=None, dico_id=None, detail=None, code=None):
        super().__init__(message or self.message)
        self.field = field
        self.dico_id = dico_id
        self.detail = detail
        if code:
            self.code = code

    def __str__(self):
        return self.args[0] if self.args and self.args[0] else self.message


class InvalidFormat(AccrochageError):
    code = "format"
    message = "La valeur n'a pas le format attendu."


class InvalidLength(InvalidFormat):
    code = "length"
    message = "La valeur n'a pas la longueur attendue."


class InvalidChecksum(AccrochageError):
    code = "checksum"
    message = "La clé de contrôle ne correspond pas."


class InvalidComponent(AccrochageError):
    code = "component"
    message = "Une partie de la valeur est inconnue ou incohérente."


#: the kinds an identifier check raises: catch these, never the base class
#: alone (a receipt or transport error is not a wrong value)
VALUE_ERRORS = (InvalidFormat, InvalidChecksum, InvalidComponent)


class UnknownSchemaVersion(AccrochageError):
    code = "schema_version"
    message = "Version de schéma inconnue."


class ReceiptError(AccrochageError):
    code = "receipt"
    message = "L'accusé de traitement est illisible."


class ImportFileError(AccrochageError):
    code = "import"
    message = "Le fichier importé est illisible."


class DocumentInvalid(AccrochageError):
    code = "xsd"
    message = "Le fichier XML ne respecte pas le schéma."


class TransportError(AccrochageError):
    code = "transport"
    message = "L'envoi a échoué."

    retryable = False


class RetryableTransportError(TransportError):
    code = "transport_retry"
    message = "L'envoi a échoué pour une raison passagère."

    retryable = True


# -- XML the engine did not write (validate, reader, receipts) -------------


class XmlSyntaxInvalid(DocumentInvalid):
    """Not well-formed XML; ``line`` says where, when libxml2 knows."""

    code = "xml_syntax"
    message = "Le fichier n'est pas un XML bien formé."

    def __init__(self, message=None, *, line=None, **kwargs):
        super().__init__(message, **kwargs)
        self.line = line


class XmlRefused(XmlSyntaxInvalid):
    """A DOCTYPE, an ENTITY declaration or an entity reference: refused."""

    code = "xml_refused"
    message = "DOCTYPE ou entité refusés."


class XmlLimitExceeded(XmlSyntaxInvalid):
    """Beyond what a flux file ever needs (attributes, depth, text, elements)."""

    code = "xml_limits"
    message = "Le fichier dépasse les limites de lecture d'un flux XML."


class XmlVersionRefused(XmlSyntaxInvalid):
    """An XML declaration without version, or not 1.0 (error guide V4 §3.2)."""

    code = "xml_version"
    message = "Seule la version XML 1.0 est prise en charge."


class FileTooLarge(DocumentInvalid):
    """Over the CDC's 200 Mo per file (general guide V5 §4.4.2)."""

    code = "file_too_large"
    message = "Le fichier dépasse 200 Mo."


class TransportCertificateError(TransportError):
    """TLS failed: the server's certificate (unknown CA, expired, other name)
    or the client certificate. Final: nothing was sent."""

    code = "transport_tls"
    message = "La connexion sécurisée (TLS) a échoué ; rien n'a été envoyé."


#: python-stdnum's kinds, by name, and the engine's kind for each
_STDNUM_KINDS = {
    "InvalidLength": (InvalidLength, "length"),
    "InvalidFormat": (InvalidFormat, "format"),
    "InvalidChecksum": (InvalidChecksum, "checksum"),
    "InvalidComponent": (InvalidComponent, "component"),
}


@contextmanager
def from_stdnum(prefix, messages, *, field, dico_id=None):
    """The one place python-stdnum's errors become the engine's.

    ``messages`` maps a kind's code (``length``, ``format``, ``checksum``,
    ``component``) to the French message; the error's ``code`` is
    ``prefix + "_" + kind``. stdnum's own text (English, and for some
    numbers an echo of the number) is dropped: ``from None``.

    >>> from stdnum.fr import siren
    >>> with from_stdnum("siren", {"checksum": "Clé fausse."}, field="siren"):
    ...     siren.validate("552008442")
    Traceback (most recent call last):
    ...
    accrochage.exceptions.InvalidChecksum: Clé fausse.
    """
    from stdnum.exceptions import ValidationError

    try:
        yield
    except ValidationError as error:
        kind, suffix = _STDNUM_KINDS.get(type(error).__name__, (InvalidComponent, "component"))
        message = messages.get(suffix) or messages.get("component") or kind.message
        raise kind(message, field=field, dico_id=dico_id, code=f"{prefix}_{suffix}") from None
