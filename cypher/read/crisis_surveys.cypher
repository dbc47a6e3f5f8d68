// Open crisis surveys of régions. Parameters: $regions (list, or null for all).
MATCH (r:Region)-[:HAS_CRISIS_SURVEY]->(v:CrisisSurvey {open: true})
WHERE $regions IS NULL OR r.code IN $regions
RETURN r.code AS region_code, r.name AS region_name, v {.*} AS survey
ORDER BY region_code
