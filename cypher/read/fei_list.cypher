// Adverse-event forms a person may read, newest first: filed by them, involving their structures (contributors),
// in their régions (coordinators), or all ($all, administrators). Parameters: $username, $sites, $regions, $all,
// $state (or null), $limit.
MATCH (e:AdverseEvent)
WHERE ($all OR e.created_by = $username OR any(f IN e.site_finesses WHERE f IN $sites)
       OR any(r IN e.region_codes WHERE r IN $regions))
  AND ($state IS NULL OR e.state = $state)
RETURN e {.*} AS event,
       COLLECT { MATCH (e)-[:INVOLVES]->(s:Site) RETURN {finess: s.finess, name: s.name} ORDER BY s.finess } AS sites,
       COUNT { (e)-[:HAS_ANSWER]->(:AdverseEventAnswer {kind: 'answer'}) } AS answer_count,
       EXISTS { (e)-[:HAS_ANSWER]->(:AdverseEventAnswer {kind: 'answer', by: $username}) } AS answered_by_me
ORDER BY e.created_at DESC
LIMIT $limit
