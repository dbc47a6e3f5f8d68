// Département and région of a site, for scope checks. Parameters: $id (FINESS).
MATCH (s:Site {finess: $id})
WITH s.finess AS id, s
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(:Commune)-[:IN]->(d:Department) RETURN d LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(d:Department) RETURN d LIMIT 1
}
OPTIONAL MATCH (d)-[:IN]->(r:Region)
RETURN id, s.finess AS site_finess, s.name AS site_name, coalesce(d.code, s.department_code) AS department_code,
       coalesce(r.code, d.region_code) AS region_code
