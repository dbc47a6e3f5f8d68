// Open a tension alert (TES) on a site. Parameters: $finess, $id, $level (1-4), $cause, $actions, $actor.
MATCH (s:Site {finess: $finess})
CREATE (s)-[:HAS_TENSION]->(t:TensionAlert {id: $id, level: $level, cause: $cause, actions: $actions,
                                            started_at: datetime(), ended_at: null, open: true,
                                            updated_at: datetime(), updated_by: $actor, source: 'saisie',
                                            loaded_at: datetime(), synthetic: false})
RETURN t {.*} AS alert
