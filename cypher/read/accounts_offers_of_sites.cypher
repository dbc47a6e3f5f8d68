// Offers of given sites, whatever their status (a contributor's perimeter, or every site when $sites is null),
// for the professional space. Parameters: $sites (list of FINESS or null), $limit.
MATCH (s:Site)
WHERE ($sites IS NULL OR s.finess IN $sites)
MATCH (s)-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer)
RETURN DISTINCT s.finess AS finess, s.name AS site_name, o.id AS offer_id, o.name AS offer_name,
       coalesce(o.status, 'draft') AS status, toString(o.updated_at) AS updated_at
ORDER BY site_name, offer_name, offer_id
LIMIT $limit
