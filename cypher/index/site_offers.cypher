// Offers of one site (directly or through its internal organisation), for the site detail page.
// Parameters: $finess, $published_only (true on public pages: drafts and offers under validation are hidden).
MATCH (s:Site {finess: $finess})-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer)
WHERE NOT coalesce($published_only, true) OR o.status = 'published'
RETURN DISTINCT o.id AS id, o.name AS name, coalesce(o.synthetic, false) AS synthetic,
       coalesce(o.status, 'draft') AS status,
       COLLECT { MATCH (o)-[:PROVIDES]->(x:Activity) RETURN {code: x.code, label: x.label} } AS activities,
       COLLECT { MATCH (o)-[:MODE]->(x:CareMode) RETURN {code: x.code, label: x.label} } AS care_modes
ORDER BY name, id
