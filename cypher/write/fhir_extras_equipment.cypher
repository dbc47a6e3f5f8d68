// Synthetic weight limit (TRE_R340 001 « Poids maximal », kg) of generated bariatric equipment, read from its
// NOS label (« … (poids entre 150 et 250 kg) » → 250): FHIR Location equipment-feature / limit-value. Only
// equipment of synthetic places without a limit; re-runs change nothing. No parameters (auto-commit).
MATCH (p:Place)-[h:HAS_EQUIPMENT]->(e:EquipmentType)
WHERE p.synthetic = true AND h.limit_type IS NULL AND e.label CONTAINS 'kg' AND e.label CONTAINS 'poids'
CALL (h, e) {
  WITH h, [w IN split(replace(replace(e.label, '(', ' '), ')', ' '), ' ') WHERE w =~ '[0-9]+'] AS numbers
  WITH h, toFloat(numbers[size(numbers) - 1]) AS kg
  WHERE kg IS NOT NULL
  SET h.limit_type = '001', h.limit_value = kg, h.limit_unit = 'kg'
} IN TRANSACTIONS OF 10000 ROWS
