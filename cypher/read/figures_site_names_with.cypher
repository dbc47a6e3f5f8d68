// Plausibility check (bench/bench_clinician_cases.py): names of the sites having a published offer coded with one
// of the concept keys, or a place of such an offer equipped with it (e.g. ["J16|0459", "J18|054"]), to find a rare
// act or a heavy device on a CMP, a CPEF, a laboratory… $keys: concept keys.
MATCH (c:Concept) WHERE c.key IN $keys
MATCH (s:Site)-[:HAS_ORG*0..3]->()-[:OFFERS]->(o:Offer)
WHERE o.status = 'published'
  AND (EXISTS { (o)-[]->(c) } OR EXISTS { (o)-[:AT]->(:Place)-[:HAS_EQUIPMENT]->(c) })
RETURN DISTINCT c.key AS key, s.finess AS finess, s.name AS name
