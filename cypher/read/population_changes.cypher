// Sites of a région whose population follow-up may have changed since $since, from the audit log (descriptions,
// contacts, publication workflow, campaign dates are all audited in the transaction of the change).
// Parameters: $region, $since (datetime).
MATCH (a:AuditEntry) WHERE a.at >= $since AND a.region_code = $region
RETURN a.site_finess AS finess, max(a.at).epochMillis AS at
