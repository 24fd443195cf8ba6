"""How the engine parses XML it did not write: one set of options everywhere.

Receipts, files to validate and user-supplied schemas are untrusted: no
entity is expanded, no DTD loaded, nothing fetched from the network.

>>> doc = b'<!DOCTYPE r [<!ENTITY e "expanded">]><r>&e;</r>'
>>> etree.fromstring(doc, parser()).text is None
True
"""

from lxml import etree

SAFE_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
}


def parser(*, huge_tree=False, **options) -> etree.XMLParser:
    """A parser for a whole document; ``huge_tree`` only for our own flux files."""
    return etree.XMLParser(huge_tree=huge_tree, **SAFE_OPTIONS, **options)


def iterparse(source, *, huge_tree=True, **options):
    """Streaming parse of a flux file (hundreds of MB: ``huge_tree`` on)."""
    return etree.iterparse(source, huge_tree=huge_tree, **SAFE_OPTIONS, **options)
