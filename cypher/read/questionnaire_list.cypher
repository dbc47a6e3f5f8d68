// Input templates written through the FHIR API (FHIR Questionnaire), every one or those of the given ids, by id.
// Parameters: $ids (list of FHIR ids, or null for all), $limit.
MATCH (q:Questionnaire)
WHERE $ids IS NULL OR q.id IN $ids
RETURN q.id AS id, q.version_id AS version_id, q.resource AS resource, q.updated_at AS updated_at
ORDER BY q.id
LIMIT $limit
