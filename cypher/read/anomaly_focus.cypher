// What an anomaly report is about, located: the resource (by its FHIR type and logical id) exists, its name, the
// sites it belongs to and their départements and régions (who handles the report). Parameters: $kind
// (HealthcareService, Organization, Location, Practitioner or PractitionerRole), $id (FHIR logical id: offer id,
// eg-/ej-<FINESS>, place id, RPPS, <RPPS>.<offer id>), $finess (the FINESS of eg-/ej- ids, else null), $rpps and
// $offer (the parts of a PractitionerRole id, else null).
CALL () {
  MATCH (o:Offer {id: $id}) WHERE $kind = 'HealthcareService'
  OPTIONAL MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
  RETURN o.name AS display, collect(DISTINCT s) AS sites
  UNION
  MATCH (s:Site {finess: $finess}) WHERE $kind = 'Organization' AND $id STARTS WITH 'eg-'
  RETURN s.name AS display, [s] AS sites
  UNION
  MATCH (le:LegalEntity {finess: $finess}) WHERE $kind = 'Organization' AND $id STARTS WITH 'ej-'
  OPTIONAL MATCH (le)-[:OPERATES]->(s:Site)
  RETURN le.name AS display, collect(DISTINCT s) AS sites
  UNION
  MATCH (p:Place {id: $id}) WHERE $kind = 'Location'
  OPTIONAL MATCH (p)<-[:AT]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
  RETURN p.name AS display, collect(DISTINCT s) AS sites
  UNION
  MATCH (pro:Professional {rpps: $id}) WHERE $kind = 'Practitioner'
  OPTIONAL MATCH (pro)-[:WORKS_IN]->(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
  RETURN trim(coalesce(pro.first_name, '') + ' ' + coalesce(pro.last_name, '')) AS display,
         collect(DISTINCT s) AS sites
  UNION
  MATCH (pro:Professional {rpps: $rpps})-[:WORKS_IN]->(o:Offer {id: $offer}) WHERE $kind = 'PractitionerRole'
  OPTIONAL MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
  RETURN trim(coalesce(pro.first_name, '') + ' ' + coalesce(pro.last_name, '')) + ' — ' + o.name AS display,
         collect(DISTINCT s) AS sites
}
UNWIND (CASE WHEN sites = [] THEN [null] ELSE sites END) AS s
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(:Commune)-[:IN]->(d:Department) RETURN d LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(d:Department) RETURN d LIMIT 1
}
OPTIONAL MATCH (d)-[:IN]->(r:Region)
WITH display, s, coalesce(d.code, s.department_code) AS department, coalesce(r.code, d.region_code) AS region
ORDER BY s.finess
RETURN display, [f IN collect(s.finess) WHERE f IS NOT NULL] AS site_finesses,
       [x IN collect(DISTINCT department) WHERE x IS NOT NULL] AS department_codes,
       [x IN collect(DISTINCT region) WHERE x IS NOT NULL] AS region_codes
LIMIT 1
