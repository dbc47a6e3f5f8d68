// $export self-check: how many lines cypher/fhir/export_location.cypher writes (every Place). No parameters.
MATCH (p:Place)
RETURN count(p) AS count
