// $export: every Site (EG) and LegalEntity (EJ) as FHIR Organization rows (same row shape as
// organization_by_ids), streamed in one read. No parameters.
CALL () {
  MATCH (s:Site)
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
  MATCH (le:LegalEntity)
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
