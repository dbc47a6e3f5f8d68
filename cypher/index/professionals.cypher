// Professional-role documents of the search index: one row per (Professional)-[:WORKS_IN]->(Offer).
// Parameters: $ids (list of Offer.id whose roles to project, or null for all).
// By ids: index seeks on the offers (a plain `WHERE $ids IS NULL OR o.id IN $ids` scans every role).
CALL () {
  WITH $ids AS ids WHERE ids IS NOT NULL
  UNWIND ids AS wanted
  MATCH (pr:Professional)-[w:WORKS_IN]->(o:Offer {id: wanted})
  RETURN pr, w, o
  UNION ALL
  WITH $ids AS ids WHERE ids IS NULL
  MATCH (pr:Professional)-[w:WORKS_IN]->(o:Offer)
  RETURN pr, w, o
}
OPTIONAL CALL (o) {
  MATCH (s:Site {finess: o.site_finess})
  RETURN s
  UNION
  MATCH (o)<-[:OFFERS]-(holder)<-[:HAS_ORG*0..6]-(s:Site)
  WHERE o.site_finess IS NULL
  RETURN s LIMIT 1
}
OPTIONAL MATCH (s)-[:IN]->(:Commune)-[:IN]->(d:Department)-[:IN]->(r:Region)
OPTIONAL MATCH (f:Concept {key: 'J220|' + w.function})
RETURN pr.rpps + '|' + o.id AS id, pr.rpps AS rpps, pr.first_name AS first_name, pr.last_name AS last_name,
       pr.profession_code AS profession_code, pr.specialty_code AS specialty_code,
       COLLECT { MATCH (pr)-[:HAS_PROFESSION]->(x:Profession) RETURN x.label }[0] AS profession,
       COLLECT { MATCH (pr)-[:HAS_SPECIALTY]->(x:Specialty) RETURN x.label }[0] AS specialty,
       w.function AS function_code, f.label AS function_label, w.phone AS phone, w.email AS email,
       o.id AS offer_id, o.name AS offer_name, s.finess AS site_finess, s.name AS site_name,
       coalesce(d.code, s.department_code) AS department_code, r.code AS region_code,
       coalesce(pr.synthetic, false) AS synthetic,
       CASE WHEN s.location IS NULL THEN null ELSE {lat: s.location.latitude, lon: s.location.longitude} END
         AS location
