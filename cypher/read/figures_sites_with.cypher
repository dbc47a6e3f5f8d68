// National figures (loaders/offer_stats.py): the sites having a published offer coded with each concept key.
// $keys: concept keys (e.g. ["J16|0459", "J17|100"]).
MATCH (c:Concept) WHERE c.key IN $keys
MATCH (s:Site)-[:HAS_ORG*0..3]->()-[:OFFERS]->(o:Offer)-[]->(c)
WHERE o.status = 'published'
RETURN c.key AS key, collect(DISTINCT s.finess) AS sites
