// Store a new input template (FHIR Questionnaire, version 1). Parameters: $id (FHIR id), $resource (the resource
// as JSON text, without id and meta.versionId / meta.lastUpdated), $actor (username).
CREATE (q:Questionnaire {id: $id})
SET q.resource = $resource, q.version_id = 1, q.created_at = datetime(), q.updated_at = datetime(),
    q.created_by = $actor, q.updated_by = $actor
RETURN q {.id, .version_id, .resource, .updated_at} AS questionnaire
