// FHIR Organization rows of the EG providing each offer of $ids (list of Offer.id; the same site as
// healthcareservice_by_ids' providedBy) and, with $with_parents, their EJ: the HealthcareService:organization
// (+ Organization:partof) include of a page, read in the same wave as the page. Body as organization_by_ids.
CALL () {
  UNWIND $ids AS wanted
  MATCH (o:Offer {id: wanted})
  OPTIONAL CALL (o) {
    MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
    RETURN s LIMIT 1
  }
  RETURN collect(DISTINCT s.finess) AS eg
}
CALL (eg) {
  UNWIND eg AS wanted
  MATCH (s:Site {finess: wanted})
  OPTIONAL CALL (s) {
    MATCH (s)-[:IN]->(c:Commune)-[:IN]->(:Department)-[:IN]->(r:Region)
    RETURN c, r LIMIT 1
    UNION
    MATCH (s)-[:IN_DEPARTMENT]->(:Department)-[:IN]->(r:Region)
    RETURN null AS c, r LIMIT 1
  }
  OPTIONAL MATCH (le:LegalEntity)-[:OPERATES]->(s)
  RETURN 'EG' AS kind, s {.finess, .name, .siret, .category_code, .category_label, .phone, .email,
                          .address_line1, .address_line2, .postal_code, .city, .synthetic,
                          latitude: s.location.latitude, longitude: s.location.longitude,
                          last_updated: coalesce(s.updated_at, s.loaded_at),
                          tariffs: COLLECT { MATCH (s)-[:HAS_TARIFF]->(t:Tariff) RETURN t {.*} ORDER BY t.key }} AS org,
         le.finess AS parent_finess, c.insee AS commune_insee, c.name AS commune_name,
         r.code AS region_code, r.name AS region_name
  UNION ALL
  UNWIND CASE WHEN $with_parents THEN eg ELSE [] END AS wanted
  MATCH (le:LegalEntity)-[:OPERATES]->(:Site {finess: wanted})
  WITH DISTINCT le
  OPTIONAL CALL (le) {
    MATCH (le)-[:OPERATES]->(:Site)-[:IN]->(:Commune)-[:IN]->(:Department)-[:IN]->(r:Region)
    RETURN r ORDER BY r.code LIMIT 1
  }
  RETURN 'EJ' AS kind, le {.finess, .name, .siren, .legal_status, .synthetic,
                           last_updated: coalesce(le.updated_at, le.loaded_at)} AS org,
         null AS parent_finess, null AS commune_insee, null AS commune_name,
         r.code AS region_code, r.name AS region_name
}
RETURN kind, org, parent_finess, commune_insee, commune_name, region_code, region_name
