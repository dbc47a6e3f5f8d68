// Ids of the offers of the sites of one région (département through the commune, or directly).
// Parameters: $region.
MATCH (d:Department {region_code: $region})
CALL (d) {
  MATCH (d)<-[:IN]-(:Commune)<-[:IN]-(s:Site) RETURN s
  UNION
  MATCH (d)<-[:IN_DEPARTMENT]-(s:Site) RETURN s
}
MATCH (s)-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer)
RETURN DISTINCT o.id AS id ORDER BY id
