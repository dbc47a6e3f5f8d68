// A professional by RPPS with the published offers they work in (web: /api/v1/professionals/{rpps}).
// Parameters: $rpps
MATCH (p:Professional {rpps: $rpps})
OPTIONAL MATCH (p)-[w:WORKS_IN]->(o:Offer {status: 'published'})
OPTIONAL MATCH (o)<-[:OFFERS]-(:InternalOrg)<-[:HAS_ORG*0..4]-(s1:Site)
OPTIONAL MATCH (o)<-[:OFFERS]-(s2:Site)
OPTIONAL MATCH (f:ContactFunction {code: w.function})
WITH p, w, o, coalesce(s2, s1) AS s, head(collect(f.label)) AS function_label
OPTIONAL MATCH (p)-[:HAS_PROFESSION]->(prof:Profession)
OPTIONAL MATCH (p)-[:HAS_SPECIALTY]->(spec:Specialty)
WITH p, prof, spec, [r IN collect(CASE WHEN o IS NULL THEN NULL ELSE {
  offer_id: o.id, offer_name: o.name, site_finess: s.finess, site_name: s.name,
  function_label: function_label, phone: w.phone, email: w.email} END) WHERE r IS NOT NULL] AS roles
RETURN p.rpps AS rpps, p.first_name AS first_name, p.last_name AS last_name,
       prof.label AS profession, spec.label AS specialty, coalesce(p.synthetic, false) AS synthetic,
       p.source AS source, toString(p.loaded_at) AS loaded_at, roles
LIMIT 1
