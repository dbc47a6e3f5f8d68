// Crisis board of régions: every health establishment concerned (FINESS category in $categories, or any site that
// has declared a plan blanc state or crisis resources) with its latest plan state, latest resources and location
// (the beds opened in a crisis come from read/crisis_capacity_beds).
// Moments as epoch milliseconds, counts as a list in the order of $fields (cheap to decode for hundreds of rows).
// Parameters: $regions (list, or null = all), $department (or null), $categories (FINESS categories), $fields (the
// resource count names).
CALL () {
  MATCH (d:Department)
  WHERE ($regions IS NULL OR d.region_code IN $regions) AND ($department IS NULL OR d.code = $department)
  MATCH (s:Site {department_code: d.code}) WHERE s.category_code IN $categories
  RETURN s, d
  UNION
  MATCH (:CrisisResources {latest: true})<-[:HAS_CRISIS_RESOURCES]-(s:Site)
  MATCH (d:Department {code: s.department_code})
  WHERE ($regions IS NULL OR d.region_code IN $regions) AND ($department IS NULL OR d.code = $department)
  RETURN s, d
  UNION
  MATCH (:CrisisPlanState {latest: true})<-[:HAS_CRISIS_PLAN]-(s:Site)
  MATCH (d:Department {code: s.department_code})
  WHERE ($regions IS NULL OR d.region_code IN $regions) AND ($department IS NULL OR d.code = $department)
  RETURN s, d
}
OPTIONAL MATCH (s)-[:HAS_CRISIS_PLAN]->(p:CrisisPlanState {latest: true})
OPTIONAL MATCH (s)-[:HAS_CRISIS_RESOURCES]->(k:CrisisResources {latest: true})
RETURN s.finess AS finess, s.name AS site_name, s.category_label AS category_label,
       coalesce(s.synthetic, false) AS synthetic, d.code AS department_code, d.name AS department_name,
       d.region_code AS region_code,
       CASE WHEN s.location IS NULL THEN null ELSE {lat: s.location.latitude, lon: s.location.longitude} END AS location,
       p {.id, .active, .level, .note, .updated_by, since_ms: p.since.epochMillis,
          updated_ms: p.updated_at.epochMillis} AS plan,
       k {.id, .note, .updated_by, updated_ms: k.updated_at.epochMillis, counts: [f IN $fields | k[f]]} AS resources
ORDER BY department_code, site_name
