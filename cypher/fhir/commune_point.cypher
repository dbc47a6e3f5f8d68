// Centroid of a commune and the SAS radius of its department (default distance of near-insee-code).
// Parameters: $insee.
MATCH (c:Commune {insee: $insee})
OPTIONAL MATCH (c)-[:IN]->(d:Department)
RETURN c.location.latitude AS lat, c.location.longitude AS lon, d.sas_radius_km AS radius_km
