// Population follow-up per establishment of a région: campaign dates, internal organisation described,
// offers (their minimum description is checked in Python). Sites with at least one offer or a campaign.
// Parameters: $region, $department (one of its départements, or null for all), $finess (list of sites, or null
// for all: the follow-up cache recomputes only the sites the audit log says changed).
MATCH (d:Department {region_code: $region}) WHERE $department IS NULL OR d.code = $department
CALL (d) {
  MATCH (d)<-[:IN]-(:Commune)<-[:IN]-(s:Site) RETURN s
  UNION
  MATCH (d)<-[:IN_DEPARTMENT]-(s:Site) RETURN s
}
WITH d, s WHERE $finess IS NULL OR s.finess IN $finess
WITH d, s,
     COLLECT { MATCH (s)-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer) RETURN DISTINCT o.id } AS offer_ids,
     COLLECT { MATCH (s)-[:HAS_ORG*1..6]->(g:InternalOrg) RETURN DISTINCT g } AS orgs
WHERE size(offer_ids) > 0 OR s.population_campaign_launched_on IS NOT NULL
RETURN s.finess AS finess, s.name AS name, d.code AS department_code,
       s.population_campaign_launched_on AS launched_on, s.population_trainings AS trainings,
       s.population_ars_validated_on AS ars_validated_on, offer_ids,
       size(orgs) AS org_total,
       size([g IN orgs WHERE EXISTS { (g)-[:OFFERS]->(:Offer) } OR EXISTS { (g)-[:HAS_ORG]->(:InternalOrg) }])
         AS org_described,
       EXISTS { (s)-[:OFFERS]->(:Offer) } AS offers_at_site_level
ORDER BY department_code, name
