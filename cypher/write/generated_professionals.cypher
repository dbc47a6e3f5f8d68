// Upsert synthetic professionals (rpps starting with SYN) with their profession (J186) and specialty (J210).
// Profession/specialty links are created with a new professional only (deterministic generator).
// $rows: [{rpps, first_name, last_name, profession_key, profession_code, specialty_key, specialty_code}],
// $version, $as_of.
UNWIND $rows AS row
OPTIONAL MATCH (existing:Professional {rpps: row.rpps})
WITH row, existing IS NULL AS new
MERGE (p:Professional {rpps: row.rpps})
ON CREATE SET p.loaded_at = datetime()
SET p.first_name = row.first_name, p.last_name = row.last_name, p.profession_code = row.profession_code,
    p.specialty_code = row.specialty_code, p.synthetic = true, p.source = 'generator', p.source_version = $version
WITH p, row, new
CALL (p, row, new) {
  WITH p, row WHERE new
  MATCH (pr:Concept {key: row.profession_key})
  CREATE (p)-[:HAS_PROFESSION]->(pr)
  WITH p, row WHERE row.specialty_key IS NOT NULL
  MATCH (sp:Concept {key: row.specialty_key})
  CREATE (p)-[:HAS_SPECIALTY]->(sp)
}
