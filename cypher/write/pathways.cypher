// Care-pathway templates as data: (Activity)-[:NEXT_STEP {pathway, rank}]->(Activity).
// $rows: [{pathway, rank, from: "J17|<code>", to: "J17|<code>"}].
UNWIND $rows AS row
MATCH (a:Concept {key: row.from})
MATCH (b:Concept {key: row.to})
MERGE (a)-[n:NEXT_STEP {pathway: row.pathway, rank: row.rank}]->(b)
SET n.synthetic = false, n.source = 'generator'
