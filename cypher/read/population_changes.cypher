// Sites of a région whose population follow-up may have changed since $since, from the audit log: the offers'
// descriptions, contacts and publication workflow (offer.*) and the campaign dates (site.population) are audited in
// the transaction of the change; other entries (capacity, tension, crisis…) do not change the follow-up.
// Parameters: $region, $since (datetime).
MATCH (a:AuditEntry) WHERE a.at >= $since AND a.region_code = $region
  AND (a.action STARTS WITH 'offer.' OR a.action = 'site.population')
RETURN a.site_finess AS finess, max(a.at).epochMillis AS at
