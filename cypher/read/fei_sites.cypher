// The structures named in an adverse-event form, with their territory (a FINESS that is not a site gives no row).
// Parameters: $finesses.
UNWIND $finesses AS f
MATCH (s:Site {finess: f})
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(:Commune)-[:IN]->(d:Department) RETURN d LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(d:Department) RETURN d LIMIT 1
}
RETURN s.finess AS finess, s.name AS site_name, coalesce(d.code, s.department_code) AS department_code,
       d.region_code AS region_code
