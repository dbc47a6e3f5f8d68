// Synthetic intervention zone and psychiatric sector of generated offers (FHIR HealthcareService
// intervention-zone and psychiatric-sector): home care (HAD care mode 31, or a home-care site category) covers
// its site's commune; psychiatry (field J20 03) gets a sector named after its département. Only synthetic offers
// without them; re-runs change nothing. No parameters (auto-commit: CALL IN TRANSACTIONS).
MATCH (o:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
WHERE o.synthetic = true AND o.intervention_zone IS NULL AND o.psychiatric_sector IS NULL
CALL (o, s) {
  WITH o, s,
       EXISTS { (o)-[:MODE]->(:CareMode {code: '31'}) } OR s.category_code IN ['127', '182', '209', '354', '460']
         AS home,
       EXISTS { (o)-[:IN_FIELD]->(:Field {code: '03'}) } AS psychiatry
  SET o.intervention_zone = CASE WHEN home AND s.commune_insee IS NOT NULL THEN [s.commune_insee] END,
      o.psychiatric_sector = CASE WHEN psychiatry AND s.department_code IS NOT NULL
                                  THEN s.department_code + 'G' + right('0' + toString(toInteger(right(s.finess, 2))
                                                                                  % 20 + 1), 2) END
} IN TRANSACTIONS OF 10000 ROWS
