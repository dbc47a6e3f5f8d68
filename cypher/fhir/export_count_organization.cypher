// $export self-check: how many lines cypher/fhir/export_organization.cypher writes (one per Site and operating
// legal entity, at least one per Site, plus one per LegalEntity). No parameters.
CALL () {
  MATCH (s:Site)
  WITH s, COUNT { (:LegalEntity)-[:OPERATES]->(s) } AS parents
  RETURN sum(CASE WHEN parents = 0 THEN 1 ELSE parents END) AS n
  UNION ALL
  MATCH (le:LegalEntity)
  RETURN count(le) AS n
}
RETURN sum(n) AS count
