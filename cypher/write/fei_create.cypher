// File an adverse-event form: the form, the structures it involves, and the people it is routed to (the active
// contributors of those structures — their referents — and the coordinators of their régions).
// Parameters: $event (map: id, number, occurred_on, category, description, region_codes, site_finesses,
// created_by, created_by_role), $finesses.
CREATE (e:AdverseEvent)
SET e = $event, e.state = 'declaree', e.created_at = datetime(), e.updated_at = datetime(), e.synthetic = false
WITH e
CALL (e) {
  UNWIND $finesses AS f
  MATCH (s:Site {finess: f})
  CREATE (e)-[:INVOLVES]->(s)
  RETURN count(*) AS involved
}
CALL (e) {
  MATCH (u:User {active: true})
  WHERE (u.role = 'contributor' AND any(f IN u.sites WHERE f IN $finesses))
     OR (u.role = 'coordinator' AND any(r IN u.regions WHERE r IN e.region_codes))
  RETURN collect(u.username) AS routed
}
SET e.routed_to = routed
RETURN e {.*} AS event
