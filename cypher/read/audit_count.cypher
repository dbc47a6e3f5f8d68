// Number of audit entries, optionally for one action. Parameters: $action (or null).
MATCH (a:AuditEntry) WHERE $action IS NULL OR a.action = $action
RETURN count(a) AS c
