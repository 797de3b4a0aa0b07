"""Privacy at the door: keyed pseudonyms for identifiers and for record ids that are personal
data, masks for PII in free text."""

from __future__ import annotations

from touchpoints.core.privacy.masking import (
    MAYBE_PII_PATTERN,
    mask_text,
    personal_value,
    personal_value_sql,
)
from touchpoints.core.privacy.pseudonym import (
    PSEUDONYM_PATTERN,
    is_pseudonym,
    normalise_identifier,
    pseudonymise,
    record_pseudonym,
)

__all__ = [
    "MAYBE_PII_PATTERN",
    "PSEUDONYM_PATTERN",
    "is_pseudonym",
    "mask_text",
    "normalise_identifier",
    "personal_value",
    "personal_value_sql",
    "pseudonymise",
    "record_pseudonym",
]
