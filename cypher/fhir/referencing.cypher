// Ids of the resources of type $source whose reference parameter $ref points to one of $ids
// (reverse direction: _revinclude). Only the branch matching ($source, $ref) runs.
// Parameters: $source, $ref, $ids.
CALL () {
  WITH 1 AS _ WHERE $source = 'PractitionerRole' AND $ref = 'service'
  UNWIND $ids AS wanted
  MATCH (pr:Professional)-[:WORKS_IN]->(o:Offer {id: wanted})
  RETURN pr.rpps + '.' + o.id AS id
  UNION
  WITH 1 AS _ WHERE $source = 'PractitionerRole' AND $ref = 'practitioner'
  UNWIND $ids AS wanted
  MATCH (pr:Professional {rpps: wanted})-[:WORKS_IN]->(o:Offer)
  RETURN pr.rpps + '.' + o.id AS id
  UNION
  WITH 1 AS _ WHERE $source = 'HealthcareService' AND $ref = 'location'
  UNWIND $ids AS wanted
  MATCH (:Place {id: wanted})<-[:AT]-(o:Offer)
  RETURN o.id AS id
  UNION
  WITH 1 AS _ WHERE $source = 'HealthcareService' AND $ref = 'organization'
  UNWIND $ids AS wanted
  MATCH (s:Site)-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer)
  WHERE wanted STARTS WITH 'eg-' AND s.finess = substring(wanted, 3)
  RETURN o.id AS id
  UNION
  WITH 1 AS _ WHERE $source = 'Organization' AND $ref = 'partof'
  UNWIND $ids AS wanted
  MATCH (le:LegalEntity)-[:OPERATES]->(s:Site)
  WHERE wanted STARTS WITH 'ej-' AND le.finess = substring(wanted, 3)
  RETURN 'eg-' + s.finess AS id
}
RETURN DISTINCT id ORDER BY id
