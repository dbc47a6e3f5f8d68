// Upsert synthetic offers (elementary units): under their internal org, at their place, coded with NOS concepts.
// Relationships are created only with a new offer: the generator is deterministic, so an offer that exists
// already has them (re-runs change nothing; a new generator version is applied with `--replace`). Properties too
// are only written with a new offer: a re-run never undoes a contributor's edit or a workflow status.
// $rows: [{id, name, phone, email, opening, org, site, place, links: [{rel, key}]}], $version, $as_of.
// rel is one of PROVIDES, MODE, PERFORMS, FOR_AGE, FOR_PUBLIC, IN_FIELD, TEMPORALITY (allow-list below).
UNWIND $rows AS row
OPTIONAL MATCH (existing:Offer {id: row.id})
WITH row, existing IS NULL AS new
MERGE (o:Offer {id: row.id})
ON CREATE SET o.loaded_at = datetime(), o.updated_at = datetime($as_of),
    o.name = row.name, o.phone = row.phone, o.email = row.email, o.opening = row.opening,
    o.status = 'published', o.site_finess = row.site, o.synthetic = true, o.source = 'generator',
    o.source_version = $version
WITH o, row, new
CALL (o, row, new) {
  WITH o, row WHERE new
  MATCH (io:InternalOrg {id: row.org})
  MATCH (p:Place {id: row.place})
  CREATE (io)-[:OFFERS]->(o), (o)-[:AT]->(p)
  WITH o, row
  UNWIND row.links AS link
  MATCH (c:Concept {key: link.key})
  FOREACH (_ IN CASE WHEN link.rel = 'PROVIDES' THEN [1] ELSE [] END | CREATE (o)-[:PROVIDES]->(c))
  FOREACH (_ IN CASE WHEN link.rel = 'MODE' THEN [1] ELSE [] END | CREATE (o)-[:MODE]->(c))
  FOREACH (_ IN CASE WHEN link.rel = 'PERFORMS' THEN [1] ELSE [] END | CREATE (o)-[:PERFORMS]->(c))
  FOREACH (_ IN CASE WHEN link.rel = 'FOR_AGE' THEN [1] ELSE [] END | CREATE (o)-[:FOR_AGE]->(c))
  FOREACH (_ IN CASE WHEN link.rel = 'FOR_PUBLIC' THEN [1] ELSE [] END | CREATE (o)-[:FOR_PUBLIC]->(c))
  FOREACH (_ IN CASE WHEN link.rel = 'IN_FIELD' THEN [1] ELSE [] END | CREATE (o)-[:IN_FIELD]->(c))
  FOREACH (_ IN CASE WHEN link.rel = 'TEMPORALITY' THEN [1] ELSE [] END | CREATE (o)-[:TEMPORALITY]->(c))
}
