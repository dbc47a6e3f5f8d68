// Upsert ROR FHIR Organizations: EG → Site (linked to its EJ when part of the import), EJ → LegalEntity.
// $rows: [{kind: 'EG'|'EJ', fhir_id, finess, legal_finess, name, siret, category_code, category_label, phone,
//          address_line1, postal_code, city, part_of_ref, updated}].
UNWIND $rows AS row
CALL (row) {
  WITH row WHERE row.kind = 'EG'
  MERGE (s:Site {finess: row.finess})
  ON CREATE SET s.loaded_at = datetime(), s.synthetic = false
  SET s.fhir_id = row.fhir_id, s.name = row.name, s.siret = coalesce(row.siret, s.siret),
      s.category_code = coalesce(row.category_code, s.category_code),
      s.category_label = coalesce(row.category_label, s.category_label), s.phone = coalesce(row.phone, s.phone),
      s.address_line1 = coalesce(row.address_line1, s.address_line1),
      s.postal_code = coalesce(row.postal_code, s.postal_code), s.city = coalesce(row.city, s.city),
      s.part_of_ref = row.part_of_ref, s.source = 'ror-fhir', s.source_version = row.updated
  WITH s, row WHERE row.legal_finess IS NOT NULL
  MERGE (le:LegalEntity {finess: row.legal_finess})
  MERGE (le)-[:OPERATES]->(s)
}
CALL (row) {
  WITH row WHERE row.kind = 'EJ'
  MERGE (le:LegalEntity {finess: row.finess})
  ON CREATE SET le.loaded_at = datetime(), le.synthetic = false
  SET le.fhir_id = row.fhir_id, le.name = row.name, le.source = 'ror-fhir', le.source_version = row.updated
}
