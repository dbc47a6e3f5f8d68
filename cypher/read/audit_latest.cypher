// Time of the latest audit entry (epoch ms, null when the log is empty): where a kept view starts following it.
MATCH (a:AuditEntry) WHERE a.at IS NOT NULL
RETURN a.at.epochMillis AS at ORDER BY a.at DESC LIMIT 1
