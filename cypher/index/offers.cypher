// Offer documents of the search index: one row per offer, denormalised with its site, legal entity,
// territory, NOS codes and labels, contacts, equipment, latest capacity and open tension.
// Parameters: $ids (list of Offer.id, or null for every offer).
// By ids: index seeks (a plain `WHERE $ids IS NULL OR … IN $ids` would scan every Offer for each push).
CALL () {
  WITH $ids AS ids WHERE ids IS NOT NULL
  UNWIND ids AS wanted
  MATCH (o:Offer {id: wanted})
  RETURN o
  UNION ALL
  WITH $ids AS ids WHERE ids IS NULL
  MATCH (o:Offer)
  RETURN o
}
OPTIONAL CALL (o) {
  MATCH (s:Site {finess: o.site_finess})
  RETURN s
  UNION
  MATCH (o)<-[:OFFERS]-(holder)<-[:HAS_ORG*0..6]-(s:Site)
  WHERE o.site_finess IS NULL
  RETURN s LIMIT 1
}
OPTIONAL CALL (o) {
  MATCH (o)-[:AT]->(p:Place)
  RETURN p ORDER BY p.location IS NULL, p.id LIMIT 1
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
WITH o, s, p, c, d, r, le, coalesce(p.location, s.location) AS loc
RETURN o.id AS id, o.name AS name, o.phone AS phone, o.email AS email, o.opening AS opening,
       o.status AS status, coalesce(o.synthetic, false) AS synthetic,
       toString(coalesce(o.updated_at, o.loaded_at)) AS updated_at,
       s.finess AS site_finess, s.name AS site_name, s.category_code AS category_code,
       s.category_label AS category_label, s.sph_code AS sph_code, s.sph_label AS sph_label,
       s.phone AS site_phone, s.email AS site_email,
       coalesce(p.address_line1, s.address_line1) AS address, coalesce(p.postal_code, s.postal_code) AS postal_code,
       coalesce(p.city, s.city) AS city, coalesce(c.insee, s.commune_insee) AS commune_insee,
       c.name AS commune_name, coalesce(d.code, s.department_code) AS department_code,
       d.name AS department_name, r.code AS region_code, r.name AS region_name,
       le.finess AS legal_entity_finess, le.name AS legal_entity_name,
       CASE WHEN loc IS NULL THEN null ELSE {lat: loc.latitude, lon: loc.longitude} END AS location,
       p.id AS place_id, p.installed_beds AS installed_beds,
       COLLECT { MATCH (o)-[:PROVIDES]->(x:Activity) RETURN {code: x.code, label: x.label} } AS activities,
       COLLECT { MATCH (o)-[:MODE]->(x:CareMode) RETURN {code: x.code, label: x.label} } AS care_modes,
       COLLECT { MATCH (o)-[:PERFORMS]->(x:Act) RETURN {code: x.code, label: x.label} } AS acts,
       COLLECT { MATCH (o)-[:FOR_AGE]->(x:AgeGroup) RETURN {code: x.code, label: x.label} } AS age_groups,
       COLLECT { MATCH (o)-[:FOR_PUBLIC]->(x:Public) RETURN {code: x.code, label: x.label} } AS publics,
       COLLECT { MATCH (o)-[:IN_FIELD]->(x:Field) RETURN {code: x.code, label: x.label} } AS fields,
       COLLECT { MATCH (pr:Professional)-[w:WORKS_IN]->(o)
                 OPTIONAL MATCH (f:Concept {key: 'J220|' + w.function})
                 RETURN {function_code: w.function, function_label: f.label,
                         name: trim(coalesce(pr.first_name, '') + ' ' + coalesce(pr.last_name, '')),
                         phone: w.phone, email: w.email} } AS contacts,
       COLLECT { MATCH (p)-[h:HAS_EQUIPMENT]->(e:EquipmentType)
                 RETURN {code: e.code, label: e.label, count: h.count, hours: h.hours} } AS equipment,
       COLLECT { MATCH (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot {latest: true})
                 RETURN {installed: k.installed, available_men: k.available_men,
                         available_women: k.available_women,
                         available_undifferentiated: k.available_undifferentiated,
                         available_total: k.available_total, forecast_d: k.forecast_d,
                         forecast_d1: k.forecast_d1, updated_at: toString(k.updated_at),
                         crisis_type: k.crisis_type} }[0] AS capacity,
       COLLECT { MATCH (s)-[:HAS_TENSION]->(t:TensionAlert {open: true}) RETURN t.level ORDER BY t.level DESC }[0]
         AS tension_level,
       // change times (µs since the epoch) of what the document shows: its external version in the index, so a
       // push that read an older state never replaces a document written from a newer one
       [x IN [coalesce(o.updated_at, o.loaded_at),
              COLLECT { MATCH (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot {latest: true}) RETURN k.updated_at }[0],
              COLLECT { MATCH (s)-[:HAS_TENSION]->(t:TensionAlert)
                        WITH coalesce(t.updated_at, t.loaded_at) AS at RETURN at ORDER BY at DESC }[0]]
        WHERE x IS NOT NULL | x.epochSeconds * 1000000 + x.nanosecond / 1000] AS changed_us
