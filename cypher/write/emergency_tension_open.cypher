// Open a site's tension alert (TES) from an emergency threshold rule (source 'urgences', the rule kept).
// Parameters: $finess, $id, $level, $cause, $rule, $actor.
MATCH (s:Site {finess: $finess})
CREATE (s)-[:HAS_TENSION]->(t:TensionAlert {id: $id, level: $level, cause: $cause, actions: null, open: true,
                                            started_at: datetime(), ended_at: null, updated_at: datetime(),
                                            updated_by: $actor, source: 'urgences', auto_rule: $rule,
                                            auto_cause: $cause, loaded_at: datetime(), synthetic: false})
WITH s, t
MATCH (st:EmergencyStatus {finess: $finess})
SET st.tension_alert_id = t.id
RETURN t {.*} AS alert
