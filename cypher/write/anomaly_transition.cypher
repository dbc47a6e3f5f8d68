// Move an anomaly report to another state if it is still in the state the caller saw (else no row: someone
// moved it meanwhile). Parameters: $id, $from (expected state), $to, $note (or null), $actor, $closed (true
// when $to ends the report).
MATCH (a:Anomaly {id: $id})
WHERE a.state = $from
WITH a, a {.*} AS before
SET a.state = $to, a.updated_at = datetime(), a.updated_by = $actor, a.revision = coalesce(a.revision, 0) + 1,
    a.note = coalesce($note, a.note),
    a.closed_at = CASE WHEN $closed THEN datetime() ELSE null END,
    a.handled_at = coalesce(a.handled_at, CASE WHEN $to <> 'annulee' THEN datetime() END)
RETURN before, a {.*} AS anomaly
