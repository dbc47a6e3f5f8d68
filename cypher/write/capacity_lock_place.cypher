// Take the write lock of a place for the rest of the transaction (serialises concurrent capacity entries,
// so exactly one snapshot stays `latest`). Parameters: $place_id. Returns the installed beds of the place.
MATCH (p:Place {id: $place_id})
SET p._lock = coalesce(p._lock, 0) + 1
RETURN p.installed_beds AS installed_beds
