// Upsert FINESS sites (EG) and their legal entity (EJ); link each site to its commune when resolved,
// else directly to its département (docs/graph-model.md).
// $rows: [{finess, legal_finess, name, category_*, siret, siren, ape, sph_*, phone, address_line1/2,
//          postal_code, city, commune_insee, department_code, lat, lon, opened_on, finess_updated_on}],
// $version, $source.
UNWIND $rows AS row
MERGE (s:Site {finess: row.finess})
ON CREATE SET s.loaded_at = datetime()
SET s.name = row.name, s.category_code = row.category_code, s.category_label = row.category_label,
    s.category_group_code = row.category_group_code, s.category_group_label = row.category_group_label,
    s.siret = row.siret, s.ape = row.ape, s.sph_code = row.sph_code, s.sph_label = row.sph_label,
    s.phone = row.phone, s.address_line1 = row.address_line1, s.address_line2 = row.address_line2,
    s.postal_code = row.postal_code, s.city = row.city, s.commune_insee = row.commune_insee,
    s.department_code = row.department_code,
    s.location = CASE WHEN row.lat IS NULL THEN null ELSE point({latitude: row.lat, longitude: row.lon}) END,
    s.opened_on = CASE WHEN row.opened_on IS NULL THEN null ELSE date(row.opened_on) END,
    s.finess_updated_on = CASE WHEN row.finess_updated_on IS NULL THEN null ELSE date(row.finess_updated_on) END,
    s.source = $source, s.source_version = $version, s.synthetic = false
MERGE (le:LegalEntity {finess: row.legal_finess})
ON CREATE SET le.loaded_at = datetime(), le.source = $source, le.source_version = $version,
              le.synthetic = false
SET le.siren = coalesce(le.siren, row.siren), le.sph_code = coalesce(le.sph_code, row.sph_code),
    le.sph_label = coalesce(le.sph_label, row.sph_label)
MERGE (le)-[:OPERATES]->(s)
WITH s, row
CALL (s, row) {
  OPTIONAL MATCH (c:Commune {insee: row.commune_insee})
  OPTIONAL MATCH (d:Department {code: row.department_code})
  FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END | MERGE (s)-[:IN]->(c))
  FOREACH (_ IN CASE WHEN c IS NULL AND d IS NOT NULL THEN [1] ELSE [] END | MERGE (s)-[:IN_DEPARTMENT]->(d))
}
