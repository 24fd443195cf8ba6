"""Read the passages back out of a flux file, streaming.

The reverse of the writer, driven by the same table: each
``passageCertification`` becomes a passage dict (with the header facts of
its file and certification), so the pre-send rules can run on a file made
elsewhere (``accrochage validate``). Elements are cleared as they are read.

The file comes from outside: it is read through :func:`accrochage.xmlsafe.stream`
(no DOCTYPE, no entity, libxml2's limits on, bounded memory), and every
problem is a typed :class:`~accrochage.exceptions.DocumentInvalid`.
"""

from __future__ import annotations

from . import xmlsafe
from .dictionary import get_schema
from .exceptions import InvalidFormat
from .values import parse_text

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else None


def _passage_from_element(element, schema):
    """Walk one passage element; repeated groups become lists of dicts."""
    passage, problems = {}, []
    base = schema.passage_path

    def walk(parent, path, target):
        for child in parent:
            name = _local(child.tag)
            if name is None:
                continue
            node = schema.by_path.get(f"{path}/{name}")
            if node is None:
                continue
            if not node.is_leaf:
                if node.max_occurs is None and node.key:
                    item = {}
                    target.setdefault(node.key, []).append(item)
                    walk(child, node.path, item)
                else:
                    walk(child, node.path, target)
            elif child.get(XSI_NIL) not in ("true", "1"):
                try:
                    target[node.key] = parse_text(node, child.text or "")
                except InvalidFormat as error:
                    problems.append(error)

    walk(element, base, passage)
    return passage, problems


def _path_of(element):
    parts = []
    while element is not None:
        parts.append(_local(element.tag))
        element = element.getparent()
    return "/".join(reversed(parts))


def _drop(element):
    """Free a processed passage and the empty siblings before it."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    while element.getprevious() is not None:
        del parent[0]


def iter_passages(source, *, version="1.1.2"):
    """Yield ``(line, passage, problems)`` for each passage of a flux file.

    ``problems`` lists values that could not be read (bad dates, numbers).
    Raises a :class:`DocumentInvalid` subclass with a French message:
    :class:`~accrochage.exceptions.XmlRefused` (DOCTYPE or entity),
    :class:`~accrochage.exceptions.XmlLimitExceeded`, or
    :class:`~accrochage.exceptions.XmlSyntaxInvalid` (not well-formed).
    """
    schema = get_schema(version)
    passage_name = schema.by_path[schema.passage_path].name
    header_nodes = {
        node.path: node for node in schema.leaves if node.level in ("deposit", "certification")
    }
    header = {}
    for _event, element in xmlsafe.stream(source):
        name = _local(element.tag)
        if name == passage_name:
            passage, problems = _passage_from_element(element, schema)
            yield element.sourceline, {**header, **passage}, problems
            _drop(element)
        elif name == "certification":
            for key in ("type", "code", "natureDeposant"):
                header.pop(key, None)
            _drop(element)
        elif len(element) == 0:
            node = header_nodes.get(_path_of(element))
            if node is not None:
                header[node.key] = (element.text or "").strip()
