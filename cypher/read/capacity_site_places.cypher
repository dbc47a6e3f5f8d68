// The bedded places of one site with their latest capacity entry (the site's units on one entry screen).
// Parameters: $finess.
MATCH (s:Site {finess: $finess})-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer)-[:AT]->(p:Place)
WITH s, p, collect(DISTINCT o.name) AS offers
WHERE p.installed_beds > 0 OR EXISTS { (p)-[:HAS_CAPACITY]->(:CapacitySnapshot) }
OPTIONAL MATCH (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot {latest: true})
RETURN s.name AS site_name, p.id AS place_id, p.name AS place_name, p.installed_beds AS installed_beds, offers,
       k {.*} AS snapshot
ORDER BY place_name, place_id
LIMIT 200
