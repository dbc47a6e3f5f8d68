// Incremental $export: ids of the Organizations whose rendering may differ from the previous full export's
// line: sites and legal entities written (updated_at) or created (loaded_at) at or after $since, and the legal
// entities operating a site created since (their region tag is taken from their sites). Not filtered on what
// is exportable: the caller re-reads these ids (fhir/organization_by_ids). Parameters: $since (ISO instant).
WITH datetime($since) AS since
CALL (since) {
  MATCH (s:Site) WHERE s.updated_at >= since OR s.loaded_at >= since
  RETURN 'eg-' + s.finess AS id
  UNION
  MATCH (le:LegalEntity) WHERE le.updated_at >= since OR le.loaded_at >= since
  RETURN 'ej-' + le.finess AS id
  UNION
  MATCH (le:LegalEntity)-[:OPERATES]->(s:Site) WHERE s.loaded_at >= since
  RETURN 'ej-' + le.finess AS id
}
RETURN id
