// Tombstones of resources that are published again (a reload re-created them, e.g. `ror generate offer
// --replace` with the same seed): a delta must not list as deleted what is still there. Auto-commit query.
// "Published" as the FHIR facade sees it: an offer with status 'published', and its roles.
MATCH (t:Tombstone)
WHERE CASE t.resource_type
  WHEN 'HealthcareService' THEN EXISTS { MATCH (o:Offer {id: t.resource_id}) WHERE o.status = 'published' }
  WHEN 'Location' THEN EXISTS { MATCH (:Place {id: t.resource_id}) }
  WHEN 'Practitioner' THEN EXISTS { MATCH (:Professional {rpps: t.resource_id}) }
  WHEN 'Organization' THEN
    (t.resource_id STARTS WITH 'eg-' AND EXISTS { MATCH (:Site {finess: substring(t.resource_id, 3)}) })
    OR (t.resource_id STARTS WITH 'ej-' AND EXISTS { MATCH (:LegalEntity {finess: substring(t.resource_id, 3)}) })
  WHEN 'PractitionerRole' THEN EXISTS {
    MATCH (p:Professional {rpps: split(t.resource_id, '.')[0]})-[:WORKS_IN]->(o:Offer)
    WHERE o.id = substring(t.resource_id, size(split(t.resource_id, '.')[0]) + 1) AND o.status = 'published' }
  ELSE false END
CALL (t) { DELETE t } IN TRANSACTIONS OF 10000 ROWS
