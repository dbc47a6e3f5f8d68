// Ids of the offers of one site (directly or through its internal organisation). Parameters: $finess.
MATCH (s:Site {finess: $finess})-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer)
RETURN DISTINCT o.id AS id ORDER BY id
