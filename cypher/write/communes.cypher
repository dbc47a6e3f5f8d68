// Upsert communes (INSEE code, names, postal codes, population, centroid) and link each to its département.
// $rows: [{insee, name, kind, postal_codes, population, lat, lon, department_code, region_code,
//          parent_insee, zone}], $version.
UNWIND $rows AS row
MERGE (c:Commune {insee: row.insee})
ON CREATE SET c.loaded_at = datetime()
SET c.name = row.name, c.kind = row.kind, c.postal_codes = row.postal_codes, c.population = row.population,
    c.location = CASE WHEN row.lat IS NULL THEN null
                      ELSE point({latitude: row.lat, longitude: row.lon}) END,
    c.department_code = row.department_code, c.region_code = row.region_code,
    c.parent_insee = row.parent_insee, c.zone = row.zone,
    c.source = 'cog', c.source_version = $version, c.synthetic = false
WITH c, row
MATCH (d:Department {code: row.department_code})
MERGE (c)-[:IN]->(d)
