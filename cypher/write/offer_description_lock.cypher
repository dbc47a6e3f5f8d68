// Take the offer's write lock for a description change and read its description as it is now (the
// "before" of the audit entry; the revision is compared with the editor's). Parameters: $id.
MATCH (o:Offer {id: $id})
SET o._lock = coalesce(o._lock, 0) + 1
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
