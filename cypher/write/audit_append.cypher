// Append one audit entry (never updated, never deleted), in the transaction of the change it records.
// Parameters: $entry (map: id, actor, actor_role, via, ip, action, target_label, target_id, before, after,
// site_finess, region_code, department_code), before/after as JSON text.
CREATE (a:AuditEntry)
SET a = $entry, a.at = datetime()
RETURN a.id AS id, toString(a.at) AS at
