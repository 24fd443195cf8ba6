"""What the pre-send rules, the import and the validator report.

A :class:`Finding` names the passage (its ``idTechnique``, or the row of an
imported file), the field (fact key and dictionary id) and says in French
what to fix, and ``source`` names the document that asks for it.
``BLOCKING`` findings keep a passage out of the deposit; ``WARNING`` ones
do not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

BLOCKING = "blocking"
WARNING = "warning"
SEVERITY_LABELS = {BLOCKING: "bloquant", WARNING: "avertissement"}


@dataclass(frozen=True)
class Finding:
    severity: str
    code: str
    message: str
    field: str | None = None
    dico_id: str | None = None
    passage: str | None = None
    row: int | None = None
    column: str | None = None
    detail: str | None = None
    #: which document asks for the rule: "XSD 1.1.2", "dictionnaire NC5 V22 #7.2", …
    source: str | None = None

    @property
    def blocking(self):
        return self.severity == BLOCKING

    def as_dict(self):
        return {key: value for key, value in asdict(self).items() if value is not None}

    def __str__(self):
        where = []
        if self.row is not None:
            where.append(f"ligne {self.row}")
        if self.column:
            where.append(f"colonne {self.column}")
        if self.passage:
            where.append(f"passage {self.passage}")
        prefix = f"[{SEVERITY_LABELS.get(self.severity, self.severity)}] "
        return prefix + (" ; ".join(where) + " : " if where else "") + self.message


def has_blocking(findings):
    return any(finding.blocking for finding in findings)


def for_node(node, severity, code, message, **where):
    """A finding about one dictionary field; the message is prefixed with it.

    >>> from accrochage.dictionary import get_schema
    >>> node = get_schema("1.1.2").by_key["sexe"]
    >>> print(for_node(node, BLOCKING, "enum", "n'accepte pas « X ».", passage="P-1"))
    [bloquant] passage P-1 : Sexe (#8.9 sexe) n'accepte pas « X ».
    """
    return Finding(
        severity,
        code,
        f"{node.label} ({node.ref}) {message}",
        field=node.key,
        dico_id=node.dico_id,
        **where,
    )
