// Update (level, cause, corrective actions) or close an open tension alert; returns before and after.
// Parameters: $id, $changes (map of level/cause/actions), $close (bool), $actor.
MATCH (s:Site)-[:HAS_TENSION]->(t:TensionAlert {id: $id})
SET t._lock = coalesce(t._lock, 0) + 1
WITH s, t, t {.level, .cause, .actions, .open, .ended_at} AS before
WHERE t.open
SET t += $changes, t.updated_at = datetime(), t.updated_by = $actor
SET t.open = CASE WHEN $close THEN false ELSE t.open END,
    t.ended_at = CASE WHEN $close THEN datetime() ELSE t.ended_at END
RETURN s.finess AS finess, before, t {.*} AS alert
