// Sites to equip with a synthetic offer, in FINESS order. $departments: list of codes, or null for all.
MATCH (s:Site)
WHERE $departments IS NULL OR s.department_code IN $departments
RETURN s.finess AS finess, s.category_code AS category_code, s.name AS name, s.phone AS phone,
       s.address_line1 AS address_line1, s.postal_code AS postal_code, s.city AS city,
       s.location.latitude AS lat, s.location.longitude AS lon
ORDER BY finess
