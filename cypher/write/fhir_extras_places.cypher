// Synthetic function of the generated places (TRE_R343, what FHIR Location.type shows): 001 Hébergement for a
// place with installed beds, else 002 Consultation. Only synthetic places without one; re-runs change nothing.
// No parameters (run in auto-commit: CALL IN TRANSACTIONS).
MATCH (p:Place)
WHERE p.synthetic = true AND p.function_code IS NULL
CALL (p) {
  SET p.function_code = CASE WHEN coalesce(p.installed_beds, 0) > 0 THEN '001' ELSE '002' END
} IN TRANSACTIONS OF 10000 ROWS
