// Upsert ROR FHIR Practitioners as professionals. $rows: [{fhir_id, rpps, first_name, last_name}].
// updated_at = the import (the source's lastUpdated is not kept): `_since` and incremental exports see the change.
UNWIND $rows AS row
MERGE (p:Professional {rpps: row.rpps})
ON CREATE SET p.loaded_at = datetime()
SET p.fhir_id = row.fhir_id, p.first_name = coalesce(row.first_name, p.first_name),
    p.last_name = coalesce(row.last_name, p.last_name), p.synthetic = false, p.source = 'ror-fhir',
    p.updated_at = datetime()
