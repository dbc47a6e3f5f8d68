// Upsert régions with their boundary (GeoJSON text, null for overseas collectivities without one).
// $rows: [{code, name, geometry}], $version.
UNWIND $rows AS row
MERGE (r:Region {code: row.code})
ON CREATE SET r.loaded_at = datetime()
SET r.name = row.name, r.geometry = row.geometry, r.source = 'cog', r.source_version = $version,
    r.synthetic = false
