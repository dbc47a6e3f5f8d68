// Incremental $export: ids of the Places whose rendering may have changed at or after $since: written or
// created, a new latest capacity snapshot (capacity extensions and lastUpdated, as in export_location), or a
// new offer delivered there (the managing organisation and region come from the offers' sites).
// Parameters: $since (ISO instant).
WITH datetime($since) AS since
CALL (since) {
  MATCH (p:Place) WHERE p.updated_at >= since OR p.loaded_at >= since
  RETURN p.id AS id
  UNION
  MATCH (p:Place)-[:HAS_CAPACITY]->(k:CapacitySnapshot {latest: true}) WHERE k.updated_at >= since
  RETURN p.id AS id
  UNION
  MATCH (o:Offer)-[:AT]->(p:Place) WHERE o.loaded_at >= since
  RETURN p.id AS id
}
RETURN id
