// Names the capacity board shows: activities (J17), fields (J20) and the activity families (J51) with the
// activities each groups.
MATCH (c:Concept) WHERE c:Activity OR c:Field OR c:ActivityFamily
RETURN CASE WHEN c:Activity THEN 'activity' WHEN c:Field THEN 'field' ELSE 'family' END AS kind, c.code AS code,
       c.label AS label, CASE WHEN c:ActivityFamily THEN COLLECT { MATCH (c)-[:GROUPS]->(a:Activity)
                                                                  RETURN a.code } ELSE [] END AS activities
