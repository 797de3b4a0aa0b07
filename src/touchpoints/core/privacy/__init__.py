"""Privacy at the door: keyed pseudonyms for identifiers, masks for PII in free text."""

from __future__ import annotations

from touchpoints.core.privacy.masking import MAYBE_PII_PATTERN, mask_text
from touchpoints.core.privacy.pseudonym import (
    PSEUDONYM_PATTERN,
    is_pseudonym,
    normalise_identifier,
    pseudonymise,
)

__all__ = [
    "MAYBE_PII_PATTERN",
    "PSEUDONYM_PATTERN",
    "is_pseudonym",
    "mask_text",
    "normalise_identifier",
    "pseudonymise",
]
