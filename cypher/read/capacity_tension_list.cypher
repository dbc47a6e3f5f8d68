// Tension alerts (open only unless $include_closed) with their site and territory, highest level first.
// Parameters: $regions (list or null = all), $department (or null), $include_closed, $limit.
MATCH (s:Site)-[:HAS_TENSION]->(t:TensionAlert)
WHERE t.open OR $include_closed
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(:Commune)-[:IN]->(d:Department) RETURN d LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(d:Department) RETURN d LIMIT 1
}
WITH s, t, d
WHERE ($regions IS NULL OR d.region_code IN $regions) AND ($department IS NULL OR d.code = $department)
RETURN t {.*} AS alert, s.finess AS finess, s.name AS site_name, d.code AS department_code,
       d.region_code AS region_code
ORDER BY t.open DESC, t.level DESC, t.started_at DESC
LIMIT $limit
