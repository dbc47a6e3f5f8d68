"""Synthetic details the generated offer lacks for some FHIR search parameters of the ROR (Location `type`,
HealthcareService `intervention-zone` and `psychiatric-sector`, equipment `limit-value`), written on the
generated (synthetic) nodes after a generation. Idempotent; never touches loaded or edited data."""

from __future__ import annotations

QUERIES = ("write/fhir_extras_places", "write/fhir_extras_offers", "write/fhir_extras_equipment")


def enrich(graph) -> None:
    import cypher

    for name in QUERIES:
        graph.run_autocommit(cypher.query(name))
