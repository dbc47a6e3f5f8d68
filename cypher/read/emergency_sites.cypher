// Emergency sites (an offer of one of $activities) of the régions, for the "no report yet" list of the dashboard.
// Parameters: $activities (NOS J17 codes), $regions (list, or null = all), $department (or null).
MATCH (a:Activity) WHERE a.code IN $activities
MATCH (a)<-[:PROVIDES]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
WITH DISTINCT s
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(:Commune)-[:IN]->(d:Department) RETURN d LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(d:Department) RETURN d LIMIT 1
}
WITH s, coalesce(d.code, s.department_code) AS department_code, d.region_code AS region_code
WHERE ($regions IS NULL OR region_code IN $regions) AND ($department IS NULL OR department_code = $department)
RETURN s.finess AS finess, s.name AS site_name, department_code, region_code,
       coalesce(s.synthetic, false) AS synthetic,
       COLLECT { MATCH (s)-[:HAS_ORG*0..6]->()-[:OFFERS]->(:Offer)-[:PROVIDES]->(x:Activity)
                 WHERE x.code IN $activities RETURN x.code } AS activities
ORDER BY department_code, site_name
