// Upsert départements (boundary as GeoJSON text, SAS default radius) and link each to its région.
// $rows: [{code, name, region_code, geometry, sas_radius_km}], $version.
UNWIND $rows AS row
MERGE (d:Department {code: row.code})
ON CREATE SET d.loaded_at = datetime()
SET d.name = row.name, d.region_code = row.region_code, d.geometry = row.geometry,
    d.sas_radius_km = row.sas_radius_km, d.source = 'cog', d.source_version = $version, d.synthetic = false
WITH d, row
OPTIONAL MATCH (r:Region {code: row.region_code})
FOREACH (_ IN CASE WHEN r IS NULL THEN [] ELSE [1] END | MERGE (d)-[:IN]->(r))
