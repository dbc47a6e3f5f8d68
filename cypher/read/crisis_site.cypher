// A site's plan blanc state and crisis resources (latest and history) with its territory.
// Parameters: $finess, $limit (history length).
MATCH (s:Site {finess: $finess})
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(:Commune)-[:IN]->(d:Department) RETURN d LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(d:Department) RETURN d LIMIT 1
}
RETURN s.finess AS finess, s.name AS site_name, coalesce(s.synthetic, false) AS synthetic,
       coalesce(d.code, s.department_code) AS department_code, d.region_code AS region_code,
       COLLECT { MATCH (s)-[:HAS_CRISIS_PLAN]->(p:CrisisPlanState) RETURN p {.*} ORDER BY p.updated_at DESC
                 LIMIT $limit } AS plans,
       COLLECT { MATCH (s)-[:HAS_CRISIS_RESOURCES]->(k:CrisisResources) RETURN k {.*} ORDER BY k.updated_at DESC
                 LIMIT $limit } AS resources,
       COLLECT { MATCH (d)-[:IN]->(:Region)-[:HAS_CRISIS_SURVEY]->(v:CrisisSurvey {open: true}) RETURN v {.*} }[0]
         AS survey
