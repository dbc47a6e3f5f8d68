// $export: every Place as a FHIR Location row (same row shape as location_by_ids), streamed in one read.
// No parameters.
MATCH (p:Place)
OPTIONAL CALL (p) {
  MATCH (p)<-[:AT]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
  RETURN s ORDER BY s.finess LIMIT 1
}
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(c:Commune)-[:IN]->(:Department)-[:IN]->(r:Region)
  RETURN c, r LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(:Department)-[:IN]->(r:Region)
  RETURN null AS c, r LIMIT 1
}
OPTIONAL CALL (p) {
  MATCH (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot {latest: true})
  RETURN k ORDER BY k.updated_at DESC LIMIT 1
}
RETURN p {.id, .name, .address_line1, .postal_code, .city, .installed_beds, .synthetic, .function_code,
          latitude: p.location.latitude, longitude: p.location.longitude,
          last_updated: CASE WHEN coalesce(p.updated_at, p.loaded_at) IS NULL
                                  OR k.updated_at > coalesce(p.updated_at, p.loaded_at)
                             THEN coalesce(k.updated_at, p.updated_at, p.loaded_at)
                             ELSE coalesce(p.updated_at, p.loaded_at) END} AS place,
       s.finess AS site_finess, coalesce(p.commune_insee, c.insee) AS commune_insee,
       CASE WHEN p.commune_insee IS NULL OR p.commune_insee = c.insee THEN c.name END AS commune_name,
       r.code AS region_code, r.name AS region_name, properties(k) AS capacity,
       COLLECT { MATCH (p)-[h:HAS_EQUIPMENT]->(e:EquipmentType)
                 RETURN {system_url: e.system_url, code: e.code, label: e.label, count: h.count,
                         limit_type: h.limit_type, limit_value: h.limit_value, limit_unit: h.limit_unit}
                 ORDER BY e.code } AS equipment
