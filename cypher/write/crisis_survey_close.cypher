// Close the open crisis survey of a région. Parameters: $region, $actor. No row when none is open.
MATCH (r:Region {code: $region})-[:HAS_CRISIS_SURVEY]->(s:CrisisSurvey {open: true})
WITH s, s {.*} AS before
SET s.open = false, s.closed_at = datetime(), s.closed_by = $actor
RETURN before, s {.*} AS after
