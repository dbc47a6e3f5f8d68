// Upsert ROR FHIR Locations as places. $rows: [{id, name, address_line1, postal_code, city, commune_insee,
// lat, lon, updated}].
UNWIND $rows AS row
MERGE (p:Place {id: row.id})
ON CREATE SET p.loaded_at = datetime()
SET p.name = row.name, p.address_line1 = row.address_line1, p.postal_code = row.postal_code, p.city = row.city,
    p.commune_insee = row.commune_insee,
    p.location = CASE WHEN row.lat IS NULL THEN null ELSE point({latitude: row.lat, longitude: row.lon}) END,
    p.synthetic = false, p.source = 'ror-fhir', p.source_version = row.updated
