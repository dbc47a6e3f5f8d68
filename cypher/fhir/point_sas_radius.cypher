// SAS radius of the département of the commune nearest to a point (default distance of a FHIR `near` without
// one), within $meters; no row when no commune is that close.
// Parameters: $lat, $lon, $meters.
WITH point({latitude: $lat, longitude: $lon}) AS p
MATCH (c:Commune)
WHERE point.distance(c.location, p) < $meters
WITH c, point.distance(c.location, p) AS meters
ORDER BY meters
LIMIT 1
OPTIONAL MATCH (c)-[:IN]->(d:Department)
RETURN d.sas_radius_km AS radius_km
