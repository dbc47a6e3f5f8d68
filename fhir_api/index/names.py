"""Names of the FHIR search indices: `<prefix>-fhir-<type>` aliases over versioned physical indices."""

from __future__ import annotations

import re


def alias(prefix: str, rtype: str) -> str:
    return f"{prefix}-fhir-{rtype.lower()}"


def physical(prefix: str, rtype: str, version: int) -> str:
    return f"{alias(prefix, rtype)}-v{version}"


def version_of(prefix: str, rtype: str, index: str) -> int | None:
    match = re.fullmatch(re.escape(alias(prefix, rtype)) + r"-v(\d+)", index)
    return int(match.group(1)) if match else None


def meta(prefix: str) -> str:
    return f"{prefix}-fhir-meta"
