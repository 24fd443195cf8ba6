"""Identity of the holder: names, and the identifier checks under their old names.

Each identifier has its own module with python-stdnum's verbs (``compact``,
``validate``, ``is_valid``, ``format``): :mod:`accrochage.nir`,
:mod:`accrochage.insee`, :mod:`accrochage.postal_code`,
:mod:`accrochage.certification_code`, :mod:`accrochage.cpf_file`,
:mod:`accrochage.siret`, and :mod:`accrochage.birth` for the birth date.
The functions below keep the names earlier callers use.

Names follow the data dictionary NC5 V22 (#8.1-#8.5, #9.2, #9.3): the
CDC matches the exact birth name and first name, ignoring accents but not
hyphens (receipt guide V3 p.4), so a name is cleaned, never shortened.

>>> validate_nir("2 90 05 69 123 045 60")
'290056912304560'
>>> nir13("290056912304560")
'2900569123045'
>>> insee_kind("2A004"), insee_kind("97105"), insee_kind("99352")
('france', 'france', 'abroad')
>>> normalize_name("  jean-  d’arc  élodie ")
"JEAN- D'ARC ÉLODIE"
>>> certification_code_kind("RNCP", "RNCP35726")
'RNCP'
"""

from __future__ import annotations

import unicodedata

from stdnum.fr import nir as stdnum_nir  # noqa: F401 (kept for callers and tests)

from . import certification_code, insee, nir
from .certification_code import TYPES as CERTIFICATION_TYPES

__all__ = [
    "CERTIFICATION_TYPES",
    "certification_code_kind",
    "compact_code",
    "compact_nir",
    "insee_kind",
    "is_valid_nir",
    "nir13",
    "nir_coherence",
    "nir_is_provisional",
    "normalize_name",
    "validate_nir",
]

compact_nir = nir.compact
validate_nir = nir.validate
is_valid_nir = nir.is_valid
nir13 = nir.to_13
nir_is_provisional = nir.is_provisional
nir_coherence = nir.coherence
insee_kind = insee.kind
compact_code = certification_code.compact
certification_code_kind = certification_code.validate_pair

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


def normalize_name(text):
    """Trim, collapse inner spaces, upper-case keeping accents (NC5 V22 #8.1-#8.5).

    Hyphens and apostrophes stay: the CDC's matching ignores accents but
    counts hyphens in compound first names. Typographic apostrophes become
    ``'`` and the text is put in Unicode NFC form, so a name typed on any
    keyboard has one spelling and one length.

    >>> normalize_name("  Élodie   marie-Ange ")
    'ÉLODIE MARIE-ANGE'
    >>> normalize_name("d’Estaing")
    "D'ESTAING"
    >>> len(normalize_name("Zoe\\u0301"))  # decomposed é counts once
    3
    """
    text = str(text)
    # ASCII text is already NFC; the backquote is its one typographic apostrophe
    if not text.isascii() or "`" in text:
        text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES)
    return " ".join(text.split()).upper()
