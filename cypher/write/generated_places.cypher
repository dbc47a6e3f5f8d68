// Upsert synthetic places (where an offer is delivered) with their specific equipment (count, opening hours).
// $rows: [{id, name, address_line1, postal_code, city, lat, lon, installed_beds,
//          equipment: [{key, count, hours}]}], $version, $as_of.
UNWIND $rows AS row
MERGE (p:Place {id: row.id})
ON CREATE SET p.loaded_at = datetime()
SET p.name = row.name, p.address_line1 = row.address_line1, p.postal_code = row.postal_code, p.city = row.city,
    p.location = CASE WHEN row.lat IS NULL THEN null ELSE point({latitude: row.lat, longitude: row.lon}) END,
    p.installed_beds = row.installed_beds, p.synthetic = true, p.source = 'generator', p.source_version = $version
WITH p, row
CALL (p, row) {
  UNWIND row.equipment AS eq
  MATCH (e:Concept {key: eq.key})
  MERGE (p)-[h:HAS_EQUIPMENT]->(e)
  SET h.count = eq.count, h.hours = eq.hours, h.synthetic = true
}
