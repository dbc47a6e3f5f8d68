// Incremental $export: what changes rendered resources without bumping their own updated_at/loaded_at, read
// whole (small sets) or as version aggregates (large ones); the exporter hashes the row into the snapshot's
// epoch. NOS concepts (codes, labels, system URLs: a nomenclature load), activity families (J51 → J17),
// régions, départements and communes with the walk commune → département → région (a territory load), and the
// source versions of what loaders re-write in place (FINESS sites and legal entities, generator / FHIR-import
// places and offers). No parameters.
CALL () {
  MATCH (c:Concept)
  WITH c ORDER BY c.key
  RETURN collect([c.key, c.system_url, c.code, c.label]) AS concepts
}
CALL () {
  MATCH (f:ActivityFamily)-[:GROUPS]->(a:Activity)
  WITH f.key + '>' + a.key AS pair ORDER BY pair
  RETURN collect(pair) AS families
}
CALL () {
  MATCH (r:Region)
  WITH r ORDER BY r.code
  RETURN collect([r.code, r.name]) AS regions
}
CALL () {
  MATCH (d:Department)
  WITH d ORDER BY d.code
  RETURN collect([d.code, d.name, COLLECT { MATCH (d)-[:IN]->(r:Region) RETURN r.code ORDER BY r.code }])
         AS departments
}
CALL () {
  MATCH (c:Commune)
  WITH c ORDER BY c.insee
  RETURN collect([c.insee, c.name, COLLECT { MATCH (c)-[:IN]->(d:Department) RETURN d.code ORDER BY d.code }])
         AS communes
}
CALL () {
  MATCH (s:Site)
  RETURN [count(DISTINCT s.source_version), min(s.source_version), max(s.source_version)] AS sites
}
CALL () {
  MATCH (le:LegalEntity)
  RETURN [count(DISTINCT le.source_version), min(le.source_version), max(le.source_version)] AS legal_entities
}
CALL () {
  MATCH (p:Place)
  RETURN [count(DISTINCT p.source_version), min(p.source_version), max(p.source_version)] AS places
}
CALL () {
  MATCH (o:Offer)
  RETURN [count(DISTINCT o.source_version), min(o.source_version), max(o.source_version)] AS offers
}
RETURN concepts, families, regions, departments, communes, sites, legal_entities, places, offers
