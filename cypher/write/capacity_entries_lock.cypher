// First statement of a group of capacity entries (one per place, place ids sorted so that concurrent groups
// take their locks in the same order): take each place's write lock for the rest of the transaction
// (serialises concurrent entries, so exactly one snapshot stays `latest`) and read, in the same round trip,
// what each entry needs: installed beds, the territory for the scope check and the audit, the current latest
// snapshot. Parameters: $place_ids (sorted). No row for a place that does not exist.
UNWIND $place_ids AS place_id
MATCH (p:Place {id: place_id})
SET p._lock = coalesce(p._lock, 0) + 1
WITH p, place_id
OPTIONAL CALL (p) { MATCH (p)<-[:AT]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site) RETURN s LIMIT 1 }
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(:Commune)-[:IN]->(d:Department) RETURN d LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(d:Department) RETURN d LIMIT 1
}
OPTIONAL MATCH (d)-[:IN]->(r:Region)
OPTIONAL CALL (p) {
  MATCH (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot {latest: true}) RETURN k ORDER BY k.updated_at DESC LIMIT 1
}
RETURN place_id, p.installed_beds AS installed_beds, s.finess AS site_finess,
       coalesce(d.code, s.department_code) AS department_code, coalesce(r.code, d.region_code) AS region_code,
       k {.*} AS snapshot
