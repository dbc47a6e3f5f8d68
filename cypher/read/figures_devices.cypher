// National figures (loaders/offer_stats.py): equipment devices of the places of published offers, by concept key,
// public or non-profit sites apart. $public: FINESS code_sph values counted as public or non-profit.
MATCH (s:Site)-[:HAS_ORG*0..3]->()-[:OFFERS]->(o:Offer)-[:AT]->(p:Place)-[h:HAS_EQUIPMENT]->(e:Concept)
WHERE o.status = 'published'
WITH DISTINCT s, p, h, e
RETURN e.key AS key, coalesce(s.sph_code, '') IN $public AS public, sum(h.count) AS devices
