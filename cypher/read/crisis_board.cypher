// Crisis board of régions: every health establishment concerned (FINESS category in $categories, or any site that
// has declared a plan blanc state or crisis resources) with its latest plan state, latest resources, the beds its
// places opened under a crisis in the capacity module, and its location.
// Parameters: $regions (list, or null = all), $department (or null), $categories (FINESS categories), $crisis_types
// (capacity crisis types counted as crisis beds).
MATCH (d:Department)
WHERE ($regions IS NULL OR d.region_code IN $regions) AND ($department IS NULL OR d.code = $department)
CALL (d) {
  MATCH (s:Site {department_code: d.code}) WHERE s.category_code IN $categories RETURN s
  UNION
  MATCH (s:Site {department_code: d.code}) WHERE EXISTS { (s)-[:HAS_CRISIS_PLAN|HAS_CRISIS_RESOURCES]->() } RETURN s
}
OPTIONAL MATCH (s)-[:HAS_CRISIS_PLAN]->(p:CrisisPlanState {latest: true})
OPTIONAL MATCH (s)-[:HAS_CRISIS_RESOURCES]->(k:CrisisResources {latest: true})
RETURN s.finess AS finess, s.name AS site_name, s.category_label AS category_label,
       coalesce(s.synthetic, false) AS synthetic, d.code AS department_code, d.name AS department_name,
       d.region_code AS region_code,
       CASE WHEN s.location IS NULL THEN null ELSE {lat: s.location.latitude, lon: s.location.longitude} END AS location,
       p {.*} AS plan, k {.*} AS resources,
       COLLECT { MATCH (s)-[:HAS_ORG*0..6]->()-[:OFFERS]->(:Offer)-[:AT]->(:Place)-[:HAS_CAPACITY]->
                       (c:CapacitySnapshot {latest: true})
                 WHERE c.crisis_type IN $crisis_types
                 RETURN {available: coalesce(c.available_total, 0), extra: coalesce(c.extra_beds, 0)} } AS crisis_beds
ORDER BY department_code, site_name
