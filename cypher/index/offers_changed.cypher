// Offers whose document may have changed since a watermark: the offer itself, its latest capacity,
// its site's tension alerts, its contacts or its place's equipment were written after $since.
// Parameters: $since (datetime). Returns id and the change time (for the next watermark).
CALL () {
  MATCH (o:Offer) WHERE coalesce(o.updated_at, o.loaded_at) > $since
  RETURN o.id AS id, coalesce(o.updated_at, o.loaded_at) AS changed_at
  UNION ALL
  MATCH (o:Offer)-[:AT]->(:Place)-[:HAS_CAPACITY]->(k:CapacitySnapshot)
  WHERE coalesce(k.updated_at, k.loaded_at) > $since
  RETURN o.id AS id, coalesce(k.updated_at, k.loaded_at) AS changed_at
  UNION ALL
  MATCH (t:TensionAlert)<-[:HAS_TENSION]-(:Site)-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer)
  WHERE coalesce(t.updated_at, t.loaded_at) > $since
  RETURN o.id AS id, coalesce(t.updated_at, t.loaded_at) AS changed_at
  UNION ALL
  MATCH (pr:Professional)-[:WORKS_IN]->(o:Offer)
  WHERE coalesce(pr.updated_at, pr.loaded_at) > $since
  RETURN o.id AS id, coalesce(pr.updated_at, pr.loaded_at) AS changed_at
}
RETURN id, max(changed_at) AS changed_at
