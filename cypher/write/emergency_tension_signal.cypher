// Update an open tension alert from an emergency threshold rule: the level, the rule that fired and its cause
// (the cause itself only for an alert the rules opened), or close an alert the rules opened once calm again.
// Parameters: $id, $level, $rule, $cause, $close, $actions, $actor. Returns before and after (no row if closed).
MATCH (s:Site)-[:HAS_TENSION]->(t:TensionAlert {id: $id})
WHERE t.open
WITH s, t, t {.level, .cause, .actions, .open, .auto_rule} AS before
SET t.level = $level, t.auto_rule = $rule, t.auto_cause = $cause, t.updated_at = datetime(), t.updated_by = $actor
SET t.cause = CASE WHEN t.source = 'urgences' THEN $cause ELSE t.cause END
SET t.open = NOT $close, t.ended_at = CASE WHEN $close THEN datetime() ELSE null END,
    t.actions = CASE WHEN $close THEN $actions ELSE t.actions END
RETURN s.finess AS finess, before, t {.*} AS alert
