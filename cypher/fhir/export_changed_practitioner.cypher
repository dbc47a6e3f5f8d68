// Incremental $export: rpps of the professionals written or created at or after $since, and of those working
// in an offer created since (their region tag comes from their offers' sites). Parameters: $since (ISO instant).
WITH datetime($since) AS since
CALL (since) {
  MATCH (pr:Professional) WHERE pr.updated_at >= since OR pr.loaded_at >= since
  RETURN pr.rpps AS id
  UNION
  MATCH (pr:Professional)-[:WORKS_IN]->(o:Offer) WHERE o.loaded_at >= since
  RETURN pr.rpps AS id
}
RETURN id
