// Record a new plan blanc state of a site (history kept: the previous state stays, no longer latest).
// Parameters: $finess, $state {id, active, level, since, note}, $actor. Returns the previous state (or null) and the
// new one. The site is locked first so concurrent changes of one site are serialised.
MATCH (s:Site {finess: $finess})
SET s._crisis_lock = coalesce(s._crisis_lock, 0) + 1
WITH s
OPTIONAL MATCH (s)-[:HAS_CRISIS_PLAN]->(old:CrisisPlanState {latest: true})
SET old.latest = false
WITH s, old, old {.*} AS before
CREATE (s)-[:HAS_CRISIS_PLAN]->(new:CrisisPlanState {id: $state.id, active: $state.active, level: $state.level,
                                                    since: $state.since, note: $state.note, latest: true,
                                                    updated_at: datetime(), updated_by: $actor, synthetic: false})
SET new.since = CASE WHEN $state.active AND old IS NOT NULL AND old.active AND $state.keep_since THEN old.since
                     ELSE new.since END
RETURN before, new {.*} AS after
