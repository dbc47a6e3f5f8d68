// Anomaly reports, newest change first, narrowed by what the caller already knows (each filter is skipped when
// null): their ids, the FHIR type and ids of what they are about, their states, and who may see them in a
// worklist ($all, or reported by $username, or concerning one of $sites or $regions). Parameters: $ids,
// $focus_type, $focus_ids, $states, $all, $username, $sites, $regions, $limit.
MATCH (a:Anomaly)
WHERE ($ids IS NULL OR a.id IN $ids)
  AND ($focus_type IS NULL OR a.focus_type = $focus_type)
  AND ($focus_ids IS NULL OR a.focus_id IN $focus_ids)
  AND ($states IS NULL OR a.state IN $states)
  AND ($all OR a.created_by = $username OR any(f IN a.site_finesses WHERE f IN $sites)
       OR any(r IN a.region_codes WHERE r IN $regions))
RETURN a {.*} AS anomaly
ORDER BY a.updated_at DESC, a.id
LIMIT $limit
