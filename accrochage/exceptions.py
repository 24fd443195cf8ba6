"""Errors raised by the engine.

Mirrors python-stdnum's hierarchy: one base class (a ``ValueError``) that is
never raised itself, and a few kinds. Each error carries a stable ``code``,
the dictionary field it concerns (when any) and a French message that says
what to fix, so the CLI and the Odoo addon map errors without parsing text.
"""


class AccrochageError(ValueError):
    """Base class of every error the engine raises."""

    code = "accrochage"
    message = "Erreur de l'accrochage certificateur."

    def __init__(self, message=None, *, field=None, dico_id=None, detail=None):
        super().__init__(message or self.message)
        self.field = field
        self.dico_id = dico_id
        self.detail = detail

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
