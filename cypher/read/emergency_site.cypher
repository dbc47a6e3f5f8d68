// One site's emergency status (or null before its first report) with its name and open tension level.
// Parameters: $finess.
MATCH (s:Site {finess: $finess})
OPTIONAL MATCH (s)-[:HAS_EMERGENCY_STATUS]->(st:EmergencyStatus)
RETURN st {.*} AS status, s.name AS site_name, coalesce(s.synthetic, false) AS synthetic_site,
       CASE WHEN s.location IS NULL THEN null ELSE {lat: s.location.latitude, lon: s.location.longitude} END AS location,
       COLLECT { MATCH (s)-[:HAS_TENSION]->(t:TensionAlert {open: true}) RETURN t.level ORDER BY t.level DESC }[0]
         AS tension_level
