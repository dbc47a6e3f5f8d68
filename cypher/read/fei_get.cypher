// One adverse-event form with its structures and its timeline (answers and state changes, oldest first).
// Parameters: $id.
MATCH (e:AdverseEvent {id: $id})
RETURN e {.*} AS event,
       COLLECT { MATCH (e)-[:INVOLVES]->(s:Site) RETURN {finess: s.finess, name: s.name} ORDER BY s.finess } AS sites,
       COLLECT { MATCH (e)-[:HAS_ANSWER]->(a:AdverseEventAnswer) RETURN a {.*} ORDER BY a.at } AS answers
