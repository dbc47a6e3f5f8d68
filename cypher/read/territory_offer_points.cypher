// Where the published offers of some activities are (the place of the unit, else its site), anywhere.
// Used by tests and tools as the graph-side reference of the index positions used for coverage gaps.
// Parameters: $activities (list of J17 codes).
MATCH (a:Activity)<-[:PROVIDES]-(o:Offer)
WHERE a.code IN $activities AND o.status = 'published'
WITH DISTINCT o
OPTIONAL CALL (o) {
  MATCH (s:Site {finess: o.site_finess})
  RETURN s
  UNION
  MATCH (o)<-[:OFFERS]-(holder)<-[:HAS_ORG*0..6]-(s:Site)
  WHERE o.site_finess IS NULL
  RETURN s LIMIT 1
}
OPTIONAL CALL (o) {
  MATCH (o)-[:AT]->(p:Place)
  RETURN p ORDER BY p.location IS NULL, p.id LIMIT 1
}
WITH o, s, coalesce(p.location, s.location) AS loc
WHERE loc IS NOT NULL
RETURN o.id AS id, s.finess AS site_finess, s.name AS site_name, loc.latitude AS lat, loc.longitude AS lon
ORDER BY id
