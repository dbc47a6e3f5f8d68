// Replace the synthetic tariffs of sites (never those a person or an import wrote: synthetic ones only) and
// date the site's change, so the FHIR export and index pick its Organization up. Parameters: $rows (list of
// {finess, hash, tariffs: [map: key, price_type, unit, amount, currency, start_date, residential_type,
// special_price, welcome_type, dependency_level, synthetic]}).
UNWIND $rows AS row
MATCH (s:Site {finess: row.finess})
CALL (s) {
  OPTIONAL MATCH (s)-[:HAS_TARIFF]->(old:Tariff {synthetic: true})
  DETACH DELETE old
}
CALL (s, row) {
  UNWIND row.tariffs AS tariff
  CREATE (s)-[:HAS_TARIFF]->(t:Tariff)
  SET t = tariff
}
SET s.tariffs_hash = row.hash, s.updated_at = datetime()
RETURN count(*) AS sites
