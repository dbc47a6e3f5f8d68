// Reports of a site received for a period, newest observation first (history, FHIR MeasureReport per hour).
// Parameters: $finess, $start, $end (datetimes), $limit.
MATCH (r:EmergencyReport {finess: $finess})
WHERE r.observed_at >= $start AND r.observed_at < $end
RETURN r {.*} AS report
ORDER BY r.observed_at DESC, r.received_at DESC
LIMIT $limit
