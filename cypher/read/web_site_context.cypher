// What a site page shows beyond the search projection: organisation tree, provenance, open tension.
// Parameters: $finess
MATCH (s:Site {finess: $finess})
OPTIONAL MATCH path = (s)-[:HAS_ORG*1..4]->(org:InternalOrg)
WITH s, [n IN collect(CASE WHEN org IS NULL THEN NULL ELSE {
  id: org.id, name: org.name, kind: org.kind, depth: length(path),
  parent: CASE WHEN length(path) = 1 THEN NULL ELSE nodes(path)[length(path) - 1].id END,
  synthetic: coalesce(org.synthetic, false)} END) WHERE n IS NOT NULL] AS orgs
OPTIONAL MATCH (s)-[:HAS_TENSION]->(t:TensionAlert {open: true})
WITH s, orgs, collect({level: t.level, cause: t.cause, actions: t.actions,
                       started_at: toString(t.started_at)})[..5] AS tensions
RETURN s.source AS source, s.source_version AS source_version, toString(s.loaded_at) AS loaded_at,
       coalesce(s.synthetic, false) AS synthetic, orgs, [t IN tensions WHERE t.level IS NOT NULL] AS tensions
