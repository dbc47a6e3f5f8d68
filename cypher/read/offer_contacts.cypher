// The contacts of an offer: the professionals working in it (WORKS_IN), with the contact function (NOS J220),
// nature (J221), e-mail and phone of each role, and the offer's description revision. Parameters: $id.
MATCH (o:Offer {id: $id})
OPTIONAL CALL (o) { MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site) RETURN s LIMIT 1 }
CALL (o) {
  OPTIONAL MATCH (pr:Professional)-[w:WORKS_IN]->(o)
  OPTIONAL MATCH (f:Concept {key: 'J220|' + w.function})
  OPTIONAL MATCH (n:Concept {key: 'J221|' + w.nature})
  WITH pr, w, f, n ORDER BY pr.rpps
  RETURN collect(CASE WHEN pr IS NOT NULL THEN {
    rpps: pr.rpps, name: trim(coalesce(pr.first_name, '') + ' ' + coalesce(pr.last_name, '')),
    function: w.function, function_label: f.label, nature: w.nature, nature_label: n.label,
    email: w.email, phone: w.phone} END) AS contacts
}
RETURN o.id AS id, o.name AS name, coalesce(o.revision, 0) AS revision, coalesce(o.status, 'draft') AS status,
       s.finess AS site_finess, contacts
