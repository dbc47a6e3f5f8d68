// Upsert synthetic internal organisation (pôles, services) under their site or parent org.
// $rows: [{id, name, kind, site, parent}] (parent: org id or null for a top-level org), $version, $as_of.
UNWIND $rows AS row
MERGE (io:InternalOrg {id: row.id})
ON CREATE SET io.loaded_at = datetime()
SET io.name = row.name, io.kind = row.kind, io.site_finess = row.site, io.synthetic = true,
    io.source = 'generator', io.source_version = $version
WITH io, row
CALL (io, row) {
  WITH io, row WHERE row.parent IS NULL
  MATCH (s:Site {finess: row.site})
  MERGE (s)-[:HAS_ORG]->(io)
}
CALL (io, row) {
  WITH io, row WHERE row.parent IS NOT NULL
  MATCH (p:InternalOrg {id: row.parent})
  MERGE (p)-[:HAS_ORG]->(io)
}
