// Ids of the offers of one site (to re-index them after a tension change). Parameters: $finess.
MATCH (s:Site {finess: $finess})-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer)
RETURN DISTINCT o.id AS id
