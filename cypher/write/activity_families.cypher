// Link activity families (J51) to the operational activities (J17) they group (ConceptMap ASS_A14).
// $rows: [{family: "J51|<code>", activity: "J17|<code>"}].
UNWIND $rows AS row
MATCH (f:Concept:ActivityFamily {key: row.family})
MATCH (a:Concept:Activity {key: row.activity})
MERGE (f)-[:GROUPS]->(a)
