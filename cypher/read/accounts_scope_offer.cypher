// Site, département and région of an offer, for scope checks. Parameters: $id.
MATCH (o:Offer {id: $id})
OPTIONAL CALL (o) { MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site) RETURN s LIMIT 1 }
WITH o.id AS id, s
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(:Commune)-[:IN]->(d:Department) RETURN d LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(d:Department) RETURN d LIMIT 1
}
OPTIONAL MATCH (d)-[:IN]->(r:Region)
RETURN id, s.finess AS site_finess, s.name AS site_name, coalesce(d.code, s.department_code) AS department_code,
       coalesce(r.code, d.region_code) AS region_code
