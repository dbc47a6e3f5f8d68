// Open a crisis survey in a région (closing any open one): establishments are asked to declare their resources.
// Parameters: $region, $id, $reason, $actor. Returns the closed survey (or null) and the new one.
MATCH (r:Region {code: $region})
SET r._crisis_lock = coalesce(r._crisis_lock, 0) + 1
WITH r
OPTIONAL MATCH (r)-[:HAS_CRISIS_SURVEY]->(old:CrisisSurvey {open: true})
SET old.open = false, old.closed_at = datetime(), old.closed_by = $actor
WITH r, old {.*} AS before
CREATE (r)-[:HAS_CRISIS_SURVEY]->(new:CrisisSurvey {id: $id, region_code: $region, reason: $reason, open: true,
                                                   opened_at: datetime(), opened_by: $actor, synthetic: false})
RETURN before, new {.*} AS after
