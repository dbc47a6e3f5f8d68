// Record a new declaration of a site's crisis resources (history kept; the previous one is no longer latest).
// Parameters: $finess, $id, $counts (map of declared counts, unknown ones null), $note, $actor.
MATCH (s:Site {finess: $finess})
SET s._crisis_lock = coalesce(s._crisis_lock, 0) + 1
WITH s
OPTIONAL MATCH (s)-[:HAS_CRISIS_RESOURCES]->(old:CrisisResources {latest: true})
SET old.latest = false
WITH s, old {.*} AS before
CREATE (s)-[:HAS_CRISIS_RESOURCES]->(new:CrisisResources {id: $id, note: $note, latest: true, updated_at: datetime(),
                                                          updated_by: $actor, synthetic: false})
SET new += $counts
RETURN before, new {.*} AS after
