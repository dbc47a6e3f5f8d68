// Facts the data-quality rules look at, one row per offer: codes with their value set and retirement date,
// address, phone/e-mail, contacts (function, nature, e-mail), status and territory.
// Parameters: $ids (list of Offer.id).
MATCH (o:Offer) WHERE o.id IN $ids
OPTIONAL CALL (o) { MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site) RETURN s LIMIT 1 }
OPTIONAL CALL (o) { MATCH (o)-[:AT]->(p:Place) RETURN p ORDER BY p.id LIMIT 1 }
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(:Commune)-[:IN]->(d:Department) RETURN d LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(d:Department) RETURN d LIMIT 1
}
RETURN o.id AS id, o.name AS name, coalesce(o.status, 'draft') AS status, o.email AS email, o.phone AS phone,
       s.finess AS site_finess, s.name AS site_name, coalesce(d.code, s.department_code) AS department_code,
       d.region_code AS region_code,
       coalesce(p.address_line1, s.address_line1) AS address, coalesce(p.city, s.city) AS city,
       s.email AS site_email,
       [(o)-[:PROVIDES]->(c:Concept) | c {.code, .label, .value_set, .retired_on}] AS activities,
       [(o)-[:MODE]->(c:Concept) | c {.code, .label, .value_set, .retired_on}] AS care_modes,
       [(o)-[:PERFORMS]->(c:Concept) | c {.code, .label, .value_set, .retired_on}] AS acts,
       [(o)-[:FOR_AGE]->(c:Concept) | c {.code, .label, .value_set, .retired_on}] AS age_groups,
       [(o)-[:FOR_PUBLIC]->(c:Concept) | c {.code, .label, .value_set, .retired_on}] AS publics,
       [(o)-[:IN_FIELD]->(c:Concept) | c {.code, .label, .value_set, .retired_on}] AS fields,
       [(pr:Professional)-[w:WORKS_IN]->(o) | {function: w.function, nature: w.nature, email: w.email,
                                              phone: w.phone, rpps: pr.rpps}] AS contacts,
       o.validated_professionals_by AS validated_professionals_by,
       o.validated_professionals_at AS validated_professionals_at,
       o.validated_direction_by AS validated_direction_by, o.validated_direction_at AS validated_direction_at,
       o.published_by AS published_by, o.published_at AS published_at,
       coalesce(o.revision, 0) AS revision, o.published_revision AS published_revision
ORDER BY id
