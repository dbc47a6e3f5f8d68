// Offers still linked to given concepts (e.g. codes just retired by a NOS update), with their site.
// Parameters: $keys (list of Concept.key).
MATCH (c:Concept) WHERE c.key IN $keys
MATCH (o:Offer)-[r:PROVIDES|MODE|PERFORMS|FOR_AGE|FOR_PUBLIC|IN_FIELD]->(c)
OPTIONAL CALL (o) { MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site) RETURN s LIMIT 1 }
RETURN o.id AS offer_id, o.name AS offer_name, s.finess AS finess, s.name AS site_name, type(r) AS relation,
       c.key AS key, c.value_set AS value_set, c.code AS code, c.label AS label, c.retired_on AS retired_on
ORDER BY finess, offer_id, key
