"""Names of the FHIR indices: `<prefix>-fhir-<type>` (search fields) and `<prefix>-fhir-<type>-resources`
(the rendered resources) aliases over versioned physical indices."""

from __future__ import annotations

import re


def alias(prefix: str, rtype: str) -> str:
    return f"{prefix}-fhir-{rtype.lower()}"


def physical(prefix: str, rtype: str, version: int) -> str:
    return f"{alias(prefix, rtype)}-v{version}"


def resources(prefix: str, rtype: str) -> str:
    """The alias of the type's resource store: the rendered resources returned by searches (`mapping.store_body`)."""
    return f"{alias(prefix, rtype)}-resources"


def resources_physical(prefix: str, rtype: str, version: int) -> str:
    return f"{resources(prefix, rtype)}-v{version}"


def version_of(prefix: str, rtype: str, index: str) -> int | None:
    match = re.fullmatch(re.escape(alias(prefix, rtype)) + r"-v(\d+)", index)
    return int(match.group(1)) if match else None


def meta(prefix: str) -> str:
    return f"{prefix}-fhir-meta"
