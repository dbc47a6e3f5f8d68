// Adverse-event statistics for the network's review: forms per category and state, and per structure involved.
// Parameters: $regions (list, or null = all), $start, $end (dates of the event, inclusive; or null).
MATCH (e:AdverseEvent)
WHERE ($regions IS NULL OR any(r IN e.region_codes WHERE r IN $regions))
  AND ($start IS NULL OR e.occurred_on >= $start) AND ($end IS NULL OR e.occurred_on <= $end)
CALL (e) {
  MATCH (e)-[:INVOLVES]->(s:Site)
  RETURN collect({finess: s.finess, name: s.name}) AS sites
}
RETURN e.category AS category, e.state AS state, sites,
       duration.inDays(date(e.created_at), coalesce(date(e.closed_at), date())).days AS days_open
