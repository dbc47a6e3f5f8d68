// The editable description of an offer (quality/description.py): revision (optimistic concurrency), status,
// text properties and NOS codes per field. Parameters: $id.
MATCH (o:Offer {id: $id})
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
