// Replace an input template (FHIR Questionnaire) by a new version if it is still at the version the caller saw
// (else no row: someone wrote it meanwhile, or it does not exist). Parameters: $id, $expected (version id),
// $resource (JSON text, as in questionnaire_create), $actor.
MATCH (q:Questionnaire {id: $id})
WHERE q.version_id = $expected
WITH q, q {.id, .version_id, .resource, .updated_at} AS before
SET q.resource = $resource, q.version_id = q.version_id + 1, q.updated_at = datetime(), q.updated_by = $actor
RETURN before, q {.id, .version_id, .resource, .updated_at} AS questionnaire
