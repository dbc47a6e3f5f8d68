// Open tension alerts of the sites of a région (the board links them), highest level per site.
// Parameters: $region.
MATCH (d:Department {region_code: $region})
MATCH (s:Site {department_code: d.code})-[:HAS_TENSION]->(t:TensionAlert {open: true})
RETURN s.finess AS finess, max(t.level) AS level
