"""The CDC data dictionary: one declarative table per schema version.

>>> schema = get_schema("1.1.2")
>>> schema.by_key["nomNaissance"].dico_id
'8.1'
>>> [n.name for n in schema.children("flux")]
['idFlux', 'horodatage', 'emetteur']
>>> get_schema("1.1.5").by_key["action"].value.values
('CREATION', 'SUPPRESSION')
>>> get_schema("1.1.2").notice, get_schema("1.1.5").notice[:26]
('', 'schéma 1.1.5 reconstitué :')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

from ..exceptions import UnknownSchemaVersion
from . import v1_1_2, v1_1_5
from .types import (
    ALL,
    CHOICE,
    SEQUENCE,
    Boolean,
    Date,
    DateTime,
    Enum,
    Integer,
    Node,
    Text,
    dico_sort_key,
)

__all__ = [
    "ALL",
    "CHOICE",
    "SEQUENCE",
    "Boolean",
    "Branch",
    "Date",
    "DateTime",
    "Enum",
    "Integer",
    "Node",
    "Schema",
    "Text",
    "VERSIONS",
    "DEFAULT_VERSION",
    "get_schema",
    "personal_keys",
]

_MODULES = {module.VERSION: module for module in (v1_1_2, v1_1_5)}
VERSIONS = tuple(_MODULES)
DEFAULT_VERSION = "1.1.2"

PASSAGE_PATH = v1_1_2.PASSAGE
CERTIFICATION_PATH = v1_1_2.P


@dataclass(frozen=True)
class Branch:
    """One branch of a choice: the facts only it holds, and whether it can be
    written with nil values alone (the birth postal code)."""

    node: Node
    own_keys: frozenset
    nil_ok: bool


class Schema:
    """One schema version: its table and the views every consumer needs.

    ``notice`` is a warning every door prints with this version (empty for
    a schema read from the official file).
    """

    def __init__(self, version, namespace, nodes, notice=""):
        self.version = version
        self.namespace = namespace
        self.nodes = nodes
        self.notice = notice
        self.by_path = {node.path: node for node in nodes}
        if len(self.by_path) != len(nodes):
            raise ValueError(f"schema {version}: duplicate path")
        self.passage_path = PASSAGE_PATH
        self.certification_path = CERTIFICATION_PATH

    def __repr__(self):
        return f"<Schema {self.version}>"

    @cached_property
    def _children(self):
        children = {}
        for node in self.nodes:
            children.setdefault(node.parent, []).append(node)
        return {parent: tuple(kids) for parent, kids in children.items()}

    def children(self, path):
        return self._children.get(path, ())

    @property
    def root(self):
        return self.by_path["flux"]

    @cached_property
    def leaves(self):
        return tuple(node for node in self.nodes if node.is_leaf)

    @cached_property
    def by_key(self):
        """First leaf (or repeated group) carrying each fact key."""
        result = {}
        for node in self.nodes:
            if node.key and node.key not in result:
                result[node.key] = node
        return result

    @cached_property
    def by_dico_id(self):
        return {node.dico_id: node for node in self.nodes if node.dico_id}

    @cached_property
    def keys(self):
        return tuple(self.by_key)

    def leaves_at(self, level):
        return tuple(node for node in self.leaves if node.level == level)

    @cached_property
    def columns(self):
        """Leaves with a dictionary id, in dictionary order: the import layout."""
        seen, result = set(), []
        for node in sorted(
            (n for n in self.leaves if n.dico_id), key=lambda n: dico_sort_key(n.dico_id)
        ):
            if node.key not in seen:
                seen.add(node.key)
                result.append(node)
        return tuple(result)

    def repeated_group(self, path):
        """The nearest ancestor (or self) that repeats inside a passage.

        None for a path outside the passage (the certification repeats too,
        but its facts are plain facts of each passage).
        """
        if not path.startswith(self.passage_path + "/"):
            return None
        while path and path != self.passage_path:
            node = self.by_path[path]
            if node.max_occurs is None:
                return node
            path = node.parent
        return None

    @cache  # noqa: B019 (schemas live as long as the process)
    def keys_under(self, path):
        """Fact keys whose presence makes the node at ``path`` worth writing.

        A repeated group counts by its own key (a list), not its items' keys.
        """
        node = self.by_path[path]
        if node.is_leaf or node.max_occurs is None:
            return frozenset({node.key})
        return frozenset().union(*(self.keys_under(c.path) for c in self.children(path)))

    @cache  # noqa: B019
    def can_be_nil(self, path):
        """True when the node at ``path`` can be written with every required
        value nil (or absent)."""
        node = self.by_path[path]
        if node.is_leaf:
            return node.nillable or not node.required
        children = self.children(path)
        if node.content == CHOICE:
            return any(self.can_be_nil(c.path) for c in children)
        return all(self.can_be_nil(c.path) for c in children if c.required)

    @cache  # noqa: B019
    def branches(self, choice_path):
        """The branches of a choice, in table order.

        Which one a passage fills: the first holding a fact no other branch
        holds; failing that, the first that ``nil_ok``. The writer and the
        rules both decide this way.
        """
        kids = self.children(choice_path)
        return tuple(
            Branch(
                kid,
                self.keys_under(kid.path)
                - frozenset().union(*(self.keys_under(o.path) for o in kids if o is not kid)),
                self.can_be_nil(kid.path),
            )
            for kid in kids
        )

    def enum(self, key):
        return self.by_key[key].value


@cache
def personal_keys(kind=None) -> frozenset:
    """Fact keys holding personal data, in any version (``kind``: birth, nir)."""
    return frozenset(
        node.key
        for version in VERSIONS
        for node in get_schema(version).leaves
        if node.personal and kind in (None, node.personal)
    )


@cache
def get_schema(version=DEFAULT_VERSION) -> Schema:
    """Return the :class:`Schema` of a version ("1.1.2" or "1.1.5")."""
    module = _MODULES.get(str(version))
    if module is None:
        raise UnknownSchemaVersion(
            f"Version de schéma « {version} » inconnue : choisissez parmi "
            + ", ".join(VERSIONS)
            + "."
        )
    return Schema(module.VERSION, module.NAMESPACE, module.NODES, module.NOTICE)
