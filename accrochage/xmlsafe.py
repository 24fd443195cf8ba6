"""How the engine reads XML it did not write: one set of options, and guards.

Receipts, files to validate and user-supplied schemas are untrusted: no
entity is expanded, no DTD loaded, nothing fetched from the network, and
libxml2's own limits stay on (no ``huge_tree``: a text node over 10 MB, a
depth over 256 or a name over 50,000 characters is refused by libxml2).

:func:`stream` adds what libxml2 does not bound, for any input size:

- the bytes are scanned before libxml2 sees them: a ``DOCTYPE``, an
  ``ENTITY`` declaration or any entity reference other than the five
  predefined ones is refused (:class:`XmlRefused`); so is a run of
  attributes no flux file has (libxml2 2.10, pinned by Odoo 19, checks
  duplicate attributes in quadratic time: 100,000 attributes on one element
  take 24 s); text in UTF-16 or UTF-32 is refused (the CDC's files are UTF-8);
- the tree kept in memory is measured as it grows: the caller frees what
  it has read, so a tree over :data:`MAX_TREE_ELEMENTS` elements means
  hundreds of thousands of elements the caller does not free (siblings out
  of place): :class:`XmlLimitExceeded`.

>>> doc = b'<!DOCTYPE r [<!ENTITY e "expanded">]><r>&e;</r>'
>>> etree.fromstring(doc, parser()).text is None
True
>>> import io
>>> try:
...     list(stream(io.BytesIO(doc)))
... except XmlRefused as error:
...     print(error.code, str(error)[:71])
xml_refused DOCTYPE ou entité refusés : le fichier contient une déclaration DOCTYPE
>>> [element.tag for _event, element in stream(io.BytesIO(b"<r><a>&amp;</a></r>"))]
['a', 'r']
"""

from __future__ import annotations

import os
import re

from lxml import etree

from .exceptions import (
    AccrochageError,
    FileTooLarge,
    XmlLimitExceeded,
    XmlRefused,
    XmlSyntaxInvalid,
    XmlVersionRefused,
)

SAFE_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
}

#: bytes handed to libxml2 at a time, each scanned first
CHUNK = 1 << 16
#: attribute-like ``="`` per chunk; a flux has a few per passage (xsi:nil)
MAX_ATTRIBUTES_PER_CHUNK = 512
#: elements kept in memory at once; a flux being read keeps a few hundred
MAX_TREE_ELEMENTS = 50_000
#: bytes kept from one chunk to the next, so a token split in two is seen whole
_OVERLAP = 16

_DECLARATIONS = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ENTITY_REFERENCE = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);|#[0-9]+;|#x[0-9A-Fa-f]+;)")
_ATTRIBUTE = re.compile(rb"=\s*[\"']")
_WIDE_TEXT = (b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00", b"\x00\x00")
_XML_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml(\s[^>]*?)?\?>")
_VERSION = re.compile(rb"""\sversion\s*=\s*["']([^"']*)["']""")
_LIMIT_MESSAGES = re.compile(
    r"huge|XML_PARSE_HUGE|too long|Excessive depth|Resource limit|limit exceeded|"
    r"Maximum entity|amplification",
    re.IGNORECASE,
)


def parser(*, huge_tree=False, **options) -> etree.XMLParser:
    """A parser for a whole document; ``huge_tree`` only for our own flux files."""
    return etree.XMLParser(huge_tree=huge_tree, **SAFE_OPTIONS, **options)


def iterparse(source, *, huge_tree=False, **options):
    """Streaming parse with the safe options; prefer :func:`stream` for
    files from outside, which adds the guards."""
    return etree.iterparse(source, huge_tree=huge_tree, **SAFE_OPTIONS, **options)


# -- the byte scanner ----------------------------------------------------------


_ENTITY_KIND = "une référence d'entité (&nom;) ou un « & » seul, à écrire &amp;"


def _refused(kind, line):
    return XmlRefused(
        f"DOCTYPE ou entité refusés : le fichier contient {kind} (ligne {line}). Un flux "
        "de la Caisse des Dépôts n'en contient jamais : corrigez-le ou régénérez-le.",
        line=line,
    )


class GuardedSource:
    """A binary file wrapper that scans each chunk before the parser reads it.

    ``read`` raises :class:`XmlRefused` or :class:`XmlLimitExceeded`; lxml
    passes the exception through to the caller of the parse.
    """

    def __init__(self, raw, *, max_bytes=None):
        self.raw = raw
        self.max_bytes, self.size = max_bytes, 0
        self.carry = b""
        self.lines = 1  # line of the first byte of ``carry``
        self.first = True
        self.cdata = False  # after a CDATA section, "&" may be plain text

    def read(self, size=-1):
        data = self.raw.read(CHUNK if size is None or size < 0 else min(size, CHUNK))
        if isinstance(data, str):
            raise AccrochageError("Le contenu XML doit être lu en binaire.")
        self.size += len(data)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise FileTooLarge(
                f"Le contenu dépasse {self.max_bytes} octets : il n'est pas lu plus loin."
            )
        self._scan(bytes(data), end=not data)
        return data

    def _scan(self, data, *, end):
        if self.first and data:
            self.first = False
            if data[:2] in _WIDE_TEXT or data[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
                raise XmlRefused(
                    "Le fichier est encodé en UTF-16 ou UTF-32 : enregistrez-le en UTF-8, "
                    "l'encodage des fichiers de la Caisse des Dépôts.",
                    line=1,
                )
        buffer = self.carry + data
        # a match starting in the last bytes is looked at again with what follows
        horizon = len(buffer) if end else len(buffer) - _OVERLAP
        self.cdata = self.cdata or b"<![CDATA[" in buffer
        checks = [(_DECLARATIONS, "une déclaration DOCTYPE ou ENTITY")]
        if not self.cdata:  # else libxml2 reports an undeclared entity itself
            checks.append((_ENTITY_REFERENCE, _ENTITY_KIND))
        for pattern, kind in checks:
            found = pattern.search(buffer)
            if found and found.start() < horizon:
                raise _refused(kind, self.lines + buffer.count(b"\n", 0, found.start()))
        if buffer.count(b"=") > MAX_ATTRIBUTES_PER_CHUNK and (
            len(_ATTRIBUTE.findall(buffer)) > MAX_ATTRIBUTES_PER_CHUNK
        ):
            raise XmlLimitExceeded(
                f"Le fichier porte plus de {MAX_ATTRIBUTES_PER_CHUNK} attributs en "
                f"{CHUNK // 1024} Ko (vers la ligne {self.lines}) : un flux de la Caisse des "
                "Dépôts n'en a que quelques-uns (xsi:nil). Ce n'est pas un flux valide : "
                "régénérez-le.",
                line=self.lines,
            )
        keep = max(0, len(buffer) - _OVERLAP)
        self.lines += buffer.count(b"\n", 0, keep)
        self.carry = buffer[keep:]


# -- the XML declaration (error guide V4 §3.2) ----------------------------------


def declaration_problem(head: bytes):
    """The :class:`XmlVersionRefused` the CDC would raise on this file's
    XML declaration, or None. ``head``: the file's first bytes.

    Error guide V4 §3.2 (p.7) and table p.4: "La version est obligatoire
    dans la déclaration XML" and "Seule la version XML 1.0 est prise en
    charge" (XML 1.1 included). No declaration at all is XML 1.0.

    >>> declaration_problem(b'<?xml version="1.0" encoding="UTF-8"?><r/>') is None
    True
    >>> declaration_problem(b"<r/>") is None
    True
    >>> print(declaration_problem(b'<?xml version="1.1"?><r/>'))  # doctest: +ELLIPSIS
    XML version « 1.1 » refusée : seule la version XML 1.0 est prise en charge par ...
    >>> declaration_problem(b'<?xml encoding="UTF-8"?><r/>').code
    'xml_version'
    """
    match = _XML_DECLARATION.match(head)
    if not match:
        return None
    version = _VERSION.search(match.group(1) or b"")
    fix = 'Écrivez <?xml version="1.0" encoding="UTF-8"?> en tête du fichier.'
    if version is None:
        return XmlVersionRefused(
            "La déclaration XML n'indique pas de version (« La version est obligatoire dans "
            "la déclaration XML », guide de résolution des erreurs XML V4 §3.2). " + fix,
            line=1,
        )
    text = version.group(1).decode("ascii", "replace")[:10]
    if text != "1.0":
        return XmlVersionRefused(
            f"XML version « {text} » refusée : seule la version XML 1.0 est prise en charge "
            "par la Caisse des Dépôts (guide de résolution des erreurs XML V4 §3.2). " + fix,
            line=1,
        )
    return None


# -- streaming ---------------------------------------------------------------


def syntax_error(error: etree.XMLSyntaxError) -> XmlSyntaxInvalid:
    """libxml2's syntax error as a typed engine error (limits told apart)."""
    message = str(error.msg or error)
    if _LIMIT_MESSAGES.search(message):
        return XmlLimitExceeded(
            "Le fichier dépasse les limites de lecture d'un flux XML (une valeur de plus de "
            "10 Mo, plus de 256 niveaux d'éléments ou un nom démesuré) : ce n'est pas un "
            "flux de la Caisse des Dépôts ; régénérez-le.",
            line=error.lineno or None,
            detail=message,
        )
    undeclared = [e for e in error.error_log if e.type_name == "ERR_UNDECLARED_ENTITY"]
    if undeclared:
        return _refused(_ENTITY_KIND, undeclared[0].line or 1)
    from .xmlerrors import explain  # the error guide's families (imports the table)

    # libxml2's first message is not always the telling one ("error parsing
    # attribute name" before "Couldn't find end of Start Tag"): try the last few
    recent = [e.message for e in list(error.error_log)[-4:] if e.line == error.lineno]
    found = explain(message)
    for other in recent:
        if found.family != "autre":
            break
        found = explain(other)
    text = (
        f"{found.explanation} {found.hint}"
        if found.family != "autre"
        else "corrigez-le à la ligne indiquée (balise non fermée, caractère interdit, "
        "encodage autre qu'UTF-8…)."
    )
    return XmlSyntaxInvalid(
        "Le fichier n'est pas un XML bien formé : " + text,
        line=error.lineno or None,
        detail=message,
    )


def _tree_size(root):
    return sum(1 for _element in root.iter())


def stream(source, *, events=("end",), max_tree=MAX_TREE_ELEMENTS, max_bytes=None, **options):
    """``(event, element)`` of ``source`` (a path or a binary file), guarded.

    The caller frees what it has read (``element.clear()``, removing
    siblings); the tree still held is measured every ``max_tree`` events
    and may not pass ``max_tree`` elements; past ``max_bytes`` bytes,
    :class:`~accrochage.exceptions.FileTooLarge`. Raises the typed errors of
    :mod:`accrochage.exceptions` (``XmlRefused``, ``XmlLimitExceeded``,
    ``XmlSyntaxInvalid``); ``OSError`` when the path cannot be read.
    """
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            yield from stream(
                handle, events=events, max_tree=max_tree, max_bytes=max_bytes, **options
            )
        return
    guarded = GuardedSource(source, max_bytes=max_bytes)
    context = iterparse(guarded, events=events, **options)
    since_check = 0
    try:
        for event, element in context:
            yield event, element
            since_check += 1
            if since_check >= max_tree:
                since_check = 0
                if _tree_size(element.getroottree().getroot()) > max_tree:
                    raise XmlLimitExceeded(
                        f"Plus de {max_tree} éléments hors des passages (vers la ligne "
                        f"{element.sourceline}) : le fichier a des éléments en trop grand "
                        "nombre ou mal placés. Ce n'est pas un flux de la Caisse des Dépôts : "
                        "régénérez-le.",
                        line=element.sourceline,
                    )
    except etree.XMLSyntaxError as error:
        raise syntax_error(error) from None
