// One tension alert and its site. Parameters: $id.
MATCH (s:Site)-[:HAS_TENSION]->(t:TensionAlert {id: $id})
RETURN s.finess AS finess, t {.*} AS alert
