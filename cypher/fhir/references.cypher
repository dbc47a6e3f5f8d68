// Ids that resources of type $source (given by id) point to through their reference parameter $ref
// (forward direction of _include, chaining and _has). Only the branch matching ($source, $ref) runs.
// Parameters: $source, $ref, $ids.
CALL () {
  WITH 1 AS _ WHERE $source = 'HealthcareService' AND $ref = 'location'
  UNWIND $ids AS wanted
  MATCH (:Offer {id: wanted})-[:AT]->(p:Place)
  RETURN p.id AS id
  UNION
  WITH 1 AS _ WHERE $source = 'HealthcareService' AND $ref = 'organization'
  UNWIND $ids AS wanted
  MATCH (:Offer {id: wanted})<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
  RETURN 'eg-' + s.finess AS id
  UNION
  WITH 1 AS _ WHERE $source = 'Location' AND $ref = 'organization'
  UNWIND $ids AS wanted
  MATCH (:Place {id: wanted})<-[:AT]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
  RETURN 'eg-' + s.finess AS id
  UNION
  WITH 1 AS _ WHERE $source = 'Organization' AND $ref = 'partof'
  UNWIND $ids AS wanted
  MATCH (le:LegalEntity)-[:OPERATES]->(s:Site)
  WHERE wanted STARTS WITH 'eg-' AND s.finess = substring(wanted, 3)
  RETURN 'ej-' + le.finess AS id
  UNION
  WITH 1 AS _ WHERE $source = 'PractitionerRole' AND $ref = 'organization'
  UNWIND $ids AS wanted
  MATCH (o:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
  WHERE o.id = substring(wanted, size(split(wanted, '.')[0]) + 1)
  RETURN 'eg-' + s.finess AS id
}
RETURN DISTINCT id ORDER BY id
