// Bedded places of the offers of given sites (a contributor's perimeter, or every site when $sites is null),
// with their latest capacity entry. Parameters: $sites (list of FINESS or null), $limit.
MATCH (s:Site)
WHERE ($sites IS NULL OR s.finess IN $sites)
MATCH (s)-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer)-[:AT]->(p:Place)
WITH DISTINCT s, p, collect(DISTINCT o.name) AS offers
OPTIONAL MATCH (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot {latest: true})
RETURN s.finess AS finess, s.name AS site_name, p.id AS place_id, p.name AS place_name,
       p.installed_beds AS installed_beds, offers, k.available_total AS available_total, k.updated_at AS updated_at
ORDER BY site_name, place_name
LIMIT $limit
