// $export self-check: how many lines cypher/fhir/export_practitionerrole.cypher writes (one per WORKS_IN into
// a published offer). No parameters.
MATCH (:Professional)-[w:WORKS_IN]->(o:Offer) WHERE o.status = 'published'
RETURN count(w) AS count
