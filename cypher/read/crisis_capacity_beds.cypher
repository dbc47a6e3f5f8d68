// Beds available in places whose latest capacity entry was made under a crisis (plan blanc, SSE), per site: read
// from the few crisis entries up to their sites (not from every site down to its places).
// Parameters: $crisis_types, $regions (list, or null = all), $department (or null).
MATCH (c:CapacitySnapshot) WHERE c.crisis_type IN $crisis_types AND c.latest
MATCH (c)<-[:HAS_CAPACITY]-(:Place)<-[:AT]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
WITH DISTINCT s, c
MATCH (d:Department {code: s.department_code})
WHERE ($regions IS NULL OR d.region_code IN $regions) AND ($department IS NULL OR d.code = $department)
RETURN s.finess AS finess, sum(coalesce(c.available_total, 0)) AS available, count(c) AS places
