// Tension alerts of one site, open first then the most recent closed ones (contributor's tension form).
// Parameters: $finess, $limit.
MATCH (s:Site {finess: $finess})
OPTIONAL MATCH (s)-[:HAS_TENSION]->(t:TensionAlert)
WITH s, t ORDER BY t.open DESC, t.started_at DESC
WITH s, [x IN collect(t {.*}) WHERE x.id IS NOT NULL][..$limit] AS alerts
RETURN s.finess AS finess, s.name AS site_name, alerts
