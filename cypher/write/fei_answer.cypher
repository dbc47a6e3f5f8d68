// Add an answer or a state change to an adverse-event form still open; a state change also sets the form's state
// (and its closing actions). Parameters: $id, $answer (map: id, kind, by, role, site_finess, text, from, to),
// $state (new state or null), $actions (or null). No row when the form is closed (or unknown).
MATCH (e:AdverseEvent {id: $id})
SET e._lock = coalesce(e._lock, 0) + 1
WITH e, e {.state, .actions, .closed_at} AS before
WHERE e.state <> 'cloturee'
CREATE (e)-[:HAS_ANSWER]->(a:AdverseEventAnswer)
SET a = $answer, a.at = datetime()
SET e.updated_at = datetime(),
    e.state = coalesce($state, e.state),
    e.actions = CASE WHEN $state = 'cloturee' THEN $actions ELSE e.actions END,
    e.closed_at = CASE WHEN $state = 'cloturee' THEN datetime() ELSE e.closed_at END,
    e.closed_by = CASE WHEN $state = 'cloturee' THEN $answer.by ELSE e.closed_by END
RETURN before, e {.state, .actions, .closed_at} AS after, a {.*} AS answer
