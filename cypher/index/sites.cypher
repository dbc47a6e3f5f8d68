// Site documents of the search index: one row per FINESS site with its legal entity, territory,
// location and the activities and count of its published offers.
// Parameters: $ids (list of Site.finess, or null for all).
// By ids: index seeks (a plain `WHERE $ids IS NULL OR … IN $ids` would scan every Site for each push).
CALL () {
  WITH $ids AS ids WHERE ids IS NOT NULL
  UNWIND ids AS wanted
  MATCH (s:Site {finess: wanted})
  RETURN s
  UNION ALL
  WITH $ids AS ids WHERE ids IS NULL
  MATCH (s:Site)
  RETURN s
}
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(c:Commune)-[:IN]->(d:Department)
  OPTIONAL MATCH (d)-[:IN]->(r:Region)
  RETURN c, d, r LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(d:Department)
  OPTIONAL MATCH (d)-[:IN]->(r:Region)
  RETURN null AS c, d, r LIMIT 1
}
OPTIONAL MATCH (le:LegalEntity)-[:OPERATES]->(s)
RETURN s.finess AS finess, s.name AS name, s.category_code AS category_code, s.category_label AS category_label,
       s.sph_code AS sph_code, s.sph_label AS sph_label, s.phone AS phone, s.email AS email,
       s.address_line1 AS address, s.postal_code AS postal_code, s.city AS city,
       coalesce(c.insee, s.commune_insee) AS commune_insee, c.name AS commune_name,
       coalesce(d.code, s.department_code) AS department_code, d.name AS department_name,
       r.code AS region_code, r.name AS region_name, le.finess AS legal_entity_finess,
       le.name AS legal_entity_name, coalesce(s.synthetic, false) AS synthetic,
       toString(coalesce(s.updated_at, s.loaded_at)) AS updated_at,
       CASE WHEN s.location IS NULL THEN null ELSE {lat: s.location.latitude, lon: s.location.longitude} END
         AS location,
       COLLECT { MATCH (s)-[:HAS_ORG*0..6]->()-[:OFFERS]->(:Offer {status: 'published'})-[:PROVIDES]->(a:Activity)
                 RETURN DISTINCT {code: a.code, label: a.label} } AS activities,
       COUNT { MATCH (s)-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer) WHERE o.status = 'published' } AS offer_count
