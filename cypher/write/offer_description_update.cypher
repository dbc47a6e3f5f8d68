// Apply a checked description change to an offer (under the lock taken by offer_description_lock): text
// properties ($text: only the given keys; null clears) and, per field, the full new list of NOS codes
// ($codes: field → list of codes, or null to leave that field alone). Bumps the revision.
// Parameters: $id, $text, $codes, $actor.
MATCH (o:Offer {id: $id})
SET o += $text, o.revision = coalesce(o.revision, 0) + 1, o.updated_at = datetime(), o.updated_by = $actor
WITH o
CALL (o) {
  WITH o WHERE $codes.activities IS NOT NULL
  OPTIONAL MATCH (o)-[r:PROVIDES]->(:Activity) DELETE r
  WITH DISTINCT o
  UNWIND $codes.activities AS code MATCH (c:Concept {key: 'J17|' + code}) MERGE (o)-[:PROVIDES]->(c)
}
CALL (o) {
  WITH o WHERE $codes.care_modes IS NOT NULL
  OPTIONAL MATCH (o)-[r:MODE]->(:CareMode) DELETE r
  WITH DISTINCT o
  UNWIND $codes.care_modes AS code MATCH (c:Concept {key: 'J19|' + code}) MERGE (o)-[:MODE]->(c)
}
CALL (o) {
  WITH o WHERE $codes.acts IS NOT NULL
  OPTIONAL MATCH (o)-[r:PERFORMS]->(:Act) DELETE r
  WITH DISTINCT o
  UNWIND $codes.acts AS code MATCH (c:Concept {key: 'J16|' + code}) MERGE (o)-[:PERFORMS]->(c)
}
CALL (o) {
  WITH o WHERE $codes.age_groups IS NOT NULL
  OPTIONAL MATCH (o)-[r:FOR_AGE]->(:AgeGroup) DELETE r
  WITH DISTINCT o
  UNWIND $codes.age_groups AS code MATCH (c:Concept {key: 'J15|' + code}) MERGE (o)-[:FOR_AGE]->(c)
}
CALL (o) {
  WITH o WHERE $codes.publics IS NOT NULL
  OPTIONAL MATCH (o)-[r:FOR_PUBLIC]->(:Public) DELETE r
  WITH DISTINCT o
  UNWIND $codes.publics AS code MATCH (c:Concept {key: 'J29|' + code}) MERGE (o)-[:FOR_PUBLIC]->(c)
}
CALL (o) {
  WITH o WHERE $codes.fields IS NOT NULL
  OPTIONAL MATCH (o)-[r:IN_FIELD]->(:Field) DELETE r
  WITH DISTINCT o
  UNWIND $codes.fields AS code MATCH (c:Concept {key: 'J20|' + code}) MERGE (o)-[:IN_FIELD]->(c)
}
CALL (o) {
  WITH o WHERE $codes.reception_modes IS NOT NULL
  OPTIONAL MATCH (o)-[r:RECEPTION]->(:ReceptionMode) DELETE r
  WITH DISTINCT o
  UNWIND $codes.reception_modes AS code MATCH (c:Concept {key: 'J226|' + code}) MERGE (o)-[:RECEPTION]->(c)
}
WITH o
OPTIONAL CALL (o) { MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site) RETURN s LIMIT 1 }
RETURN o.id AS id, coalesce(o.revision, 0) AS revision, coalesce(o.status, 'draft') AS status,
       s.finess AS site_finess,
       o {.name, .phone, .email, .opening, .description} AS text,
       {activities: [(o)-[:PROVIDES]->(c:Activity) | c {.code, .label}],
        care_modes: [(o)-[:MODE]->(c:CareMode) | c {.code, .label}],
        acts: [(o)-[:PERFORMS]->(c:Act) | c {.code, .label}],
        age_groups: [(o)-[:FOR_AGE]->(c:AgeGroup) | c {.code, .label}],
        publics: [(o)-[:FOR_PUBLIC]->(c:Public) | c {.code, .label}],
        fields: [(o)-[:IN_FIELD]->(c:Field) | c {.code, .label}],
        reception_modes: [(o)-[:RECEPTION]->(c:ReceptionMode) | c {.code, .label}]} AS codes
