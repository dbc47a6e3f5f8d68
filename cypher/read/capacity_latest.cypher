// Latest capacity snapshot of a place (none when never entered), with the place's installed beds.
// Parameters: $place_id.
MATCH (p:Place {id: $place_id})
OPTIONAL MATCH (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot {latest: true})
RETURN p.id AS place_id, p.name AS place_name, p.installed_beds AS installed_beds, k {.*} AS snapshot
ORDER BY k.updated_at DESC
