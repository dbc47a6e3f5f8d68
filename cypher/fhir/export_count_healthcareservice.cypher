// $export self-check: how many lines cypher/fhir/export_healthcareservice.cypher writes (published offers).
// No parameters.
MATCH (o:Offer) WHERE o.status = 'published'
RETURN count(o) AS count
