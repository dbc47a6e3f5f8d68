// $export self-check: how many lines cypher/fhir/export_practitioner.cypher writes (every Professional).
// No parameters.
MATCH (pr:Professional)
RETURN count(pr) AS count
