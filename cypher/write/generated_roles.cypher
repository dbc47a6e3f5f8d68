// Upsert synthetic roles: (Professional)-[:WORKS_IN {function, nature, email, phone}]->(Offer).
// $rows: [{rpps, offer, function, nature, email, phone}] (function/nature: J220/J221 codes), $version, $as_of.
UNWIND $rows AS row
MATCH (o:Offer {id: row.offer})
MATCH (p:Professional {rpps: row.rpps})
MERGE (p)-[w:WORKS_IN]->(o)
SET w.function = row.function, w.nature = row.nature, w.email = row.email, w.phone = row.phone,
    w.synthetic = true
