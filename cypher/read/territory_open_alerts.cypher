// Open tension alerts of the given sites, by level (the sites of a territory come from the search index).
// Parameters: $finess (list of Site.finess).
UNWIND $finess AS code
MATCH (s:Site {finess: code})-[:HAS_TENSION]->(t:TensionAlert)
WHERE t.open = true
RETURN t.level AS level, count(t) AS alerts, count(DISTINCT s) AS sites
ORDER BY level
