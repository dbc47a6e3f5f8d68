// The offers of the sites of one région with the département of their site (the same offers as
// quality_region_offer_ids, the coordinators' quality report), for the steering indicators. Parameters: $region.
MATCH (d:Department {region_code: $region})
CALL (d) {
  MATCH (d)<-[:IN]-(:Commune)<-[:IN]-(s:Site) RETURN s
  UNION
  MATCH (d)<-[:IN_DEPARTMENT]-(s:Site) RETURN s
}
MATCH (s)-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer)
RETURN DISTINCT o.id AS id, d.code AS department ORDER BY id
