"""The CapabilityStatement, generated from what is implemented: the search parameter declarations
(`searchparams`, which the index and the query compiler also read), the include table, the registered providers
and resource types of other modules (`hooks`)."""

from __future__ import annotations

from fhir_api import codes, hooks, searchparams

SOFTWARE = {"name": "ror-graph", "version": "0.1.0"}
HL7_SP = "http://hl7.org/fhir/SearchParameter/"


def _definition(resource_type: str, name: str) -> str | None:
    if name.startswith("_") and name not in ("_has", "_filter"):
        return HL7_SP + "Resource-" + name.lstrip("_")
    if name in ("near", "identifier", "name", "type", "partof", "specialty", "characteristic", "service-type",
                "service-category", "location", "organization", "address-postalcode", "address-city", "service",
                "practitioner", "role", "family", "given", "active", "status"):
        return f"{HL7_SP}{resource_type}-{name}"
    return None


def _modifiers(p) -> list[str]:
    return list(searchparams.TYPE_MODIFIERS.get(p.type, ())) + list(p.modifiers)


def capability_statement(base_url: str, date: str) -> dict:
    resources = []
    for rtype, plist in searchparams.PARAMS.items():
        search_params = []
        for p in plist:
            doc = p.doc + (f" (modificateurs : {', '.join(':' + m for m in _modifiers(p))})" if _modifiers(p) else "")
            entry = {"name": p.name, "type": p.type, "documentation": doc}
            definition = _definition(rtype, p.name)
            if definition:
                entry["definition"] = definition
            search_params.append(entry)
        resources.append({
            "type": rtype,
            "profile": codes.PROFILE[rtype],
            "interaction": [{"code": "read"}, {"code": "search-type"}]
            + ([{"code": "patch", "documentation": "Capacités uniquement (JSON Patch, jeton Bearer contributeur)"}]
               if rtype == "Location" else []),
            "versioning": "no-version",
            "readHistory": False,
            "searchInclude": sorted(k for k, v in searchparams.INCLUDES.items() if v[0] == rtype),
            "searchRevInclude": sorted(searchparams.REVINCLUDES[rtype] + list(hooks.revinclude_providers)),
            "searchParam": search_params,
            "operation": [{"name": "export",
                           "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export"}],
        })
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "publisher": "ror-graph",
        "kind": "instance",
        "software": SOFTWARE,
        "implementation": {"description": "Répertoire de l'offre de soins (graphe Neo4j, index OpenSearch)",
                           "url": base_url},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Recherches : valeurs séparées par des virgules = OU, paramètre répété = ET. "
                             "Paramètre inconnu : erreur 400 sauf avec l'en-tête « Prefer: handling=lenient ».",
            "resource": resources + [resource() for resource in hooks.capability_resources],
            "operation": [{"name": "export",
                           "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"}],
        }],
    }
