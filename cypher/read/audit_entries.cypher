// Audit entries, newest first, filtered. Parameters: $regions (list or null = every région), $target_id,
// $actor, $action, $since (datetime or null), $limit.
MATCH (a:AuditEntry)
WHERE ($regions IS NULL OR a.region_code IN $regions)
  AND ($target_id IS NULL OR a.target_id = $target_id)
  AND ($actor IS NULL OR a.actor = $actor)
  AND ($action IS NULL OR a.action = $action)
  AND ($since IS NULL OR a.at >= $since)
RETURN a.id AS id, a.at AS at, a.actor AS actor, a.actor_role AS actor_role, a.via AS via, a.ip AS ip,
       a.action AS action, a.target_label AS target_label, a.target_id AS target_id, a.before AS before,
       a.after AS after, a.site_finess AS site_finess, a.region_code AS region_code
ORDER BY a.at DESC, a.id DESC
LIMIT $limit
