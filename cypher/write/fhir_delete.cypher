// Apply the DELETE entries of a FHIR import (the `deleted` files of a `$export?_since=` delta): remove what the
// graph holds for each resource and leave its Tombstone in the same transaction, so that this graph's own
// `_since` exports pass the deletion on and a read answers 410. Deleting what is already absent is a no-op
// (apart from its tombstone): a re-run is safe. What still published referenced a deleted resource changes (an
// offer's places, a place's managing organisation, a professional's region tag): its updated_at is bumped, so
// that `_since` and incremental full exports re-render it.
// Parameters: $rows [{type, id, rpps, offer_id}] (rpps/offer_id for PractitionerRole), $deleted_by, $reason.
CALL () {
  UNWIND $rows AS r
  MERGE (t:Tombstone {resource_type: r.type, resource_id: r.id})
  SET t.deleted_at = datetime(), t.deleted_by = $deleted_by, t.reason = $reason
  RETURN count(t) AS tombstones
}
CALL () {
  UNWIND [r IN $rows WHERE r.type = 'PractitionerRole'] AS r
  MATCH (pr:Professional {rpps: r.rpps})-[w:WORKS_IN]->(:Offer {id: r.offer_id})
  SET pr.updated_at = datetime()
  DELETE w
  RETURN count(w) AS roles
}
CALL () {
  UNWIND [r IN $rows WHERE r.type = 'HealthcareService' | r.id] AS id
  MATCH (o:Offer {id: id})
  WITH o, [(p:Professional)-[:WORKS_IN]->(o) | p] AS pros, [(o)-[:AT]->(p:Place) | p] AS places
  FOREACH (p IN pros |
    MERGE (t:Tombstone {resource_type: 'PractitionerRole', resource_id: p.rpps + '.' + o.id})
    SET t.deleted_at = datetime(), t.deleted_by = $deleted_by, t.reason = $reason)
  FOREACH (n IN pros + places | SET n.updated_at = datetime())
  DETACH DELETE o
  RETURN count(*) AS services
}
CALL () {
  UNWIND [r IN $rows WHERE r.type = 'Location' | r.id] AS id
  MATCH (p:Place {id: id})
  CALL (p) {
    MATCH (p)<-[:AT]-(o:Offer)
    SET o.updated_at = datetime()
  }
  CALL (p) {
    MATCH (p)-[:HAS_CAPACITY]->(c:CapacitySnapshot)
    DETACH DELETE c
  }
  DETACH DELETE p
  RETURN count(*) AS places
}
CALL () {
  UNWIND [r IN $rows WHERE r.type = 'Practitioner' | r.id] AS id
  MATCH (p:Professional {rpps: id})
  WITH p, [(p)-[:WORKS_IN]->(o:Offer) | p.rpps + '.' + o.id] AS role_ids
  FOREACH (rid IN role_ids |
    MERGE (t:Tombstone {resource_type: 'PractitionerRole', resource_id: rid})
    SET t.deleted_at = datetime(), t.deleted_by = $deleted_by, t.reason = $reason)
  DETACH DELETE p
  RETURN count(*) AS practitioners
}
RETURN tombstones, roles, services, places, practitioners
