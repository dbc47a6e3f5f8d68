// Upsert synthetic professionals (rpps starting with SYN) with their profession (J186) and specialty (J210).
// $rows: [{rpps, first_name, last_name, profession_key, profession_code, specialty_key, specialty_code}],
// $version, $as_of.
UNWIND $rows AS row
MERGE (p:Professional {rpps: row.rpps})
ON CREATE SET p.loaded_at = datetime()
SET p.first_name = row.first_name, p.last_name = row.last_name, p.profession_code = row.profession_code,
    p.specialty_code = row.specialty_code, p.synthetic = true, p.source = 'generator', p.source_version = $version
WITH p, row
MATCH (pr:Concept {key: row.profession_key})
MERGE (p)-[:HAS_PROFESSION]->(pr)
WITH p, row
CALL (p, row) {
  WITH p, row WHERE row.specialty_key IS NOT NULL
  MATCH (sp:Concept {key: row.specialty_key})
  MERGE (p)-[:HAS_SPECIALTY]->(sp)
}
