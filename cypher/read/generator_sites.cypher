// Sites to equip with a synthetic offer, in FINESS order, with what the site plan needs (legal entity,
// département, commune population). The generator plans on every site and writes the $departments ones.
// $departments: list of codes, or null for all.
MATCH (s:Site)
WHERE $departments IS NULL OR s.department_code IN $departments
OPTIONAL MATCH (le:LegalEntity)-[:OPERATES]->(s)
OPTIONAL MATCH (s)-[:IN]->(c:Commune)
RETURN s.finess AS finess, s.category_code AS category_code, s.name AS name, s.phone AS phone,
       s.address_line1 AS address_line1, s.postal_code AS postal_code, s.city AS city,
       s.location.latitude AS lat, s.location.longitude AS lon, s.sph_code AS sph_code,
       s.department_code AS department_code, le.finess AS legal_entity_finess, c.population AS commune_population
ORDER BY finess
