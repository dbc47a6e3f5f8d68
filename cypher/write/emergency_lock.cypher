// Lock the emergency status of the sites of a group of reports (created on a site's first report) and read what
// the checks need: the site's territory, whether it has an emergency offer, its status, its open tension alerts.
// Parameters: $finesses (distinct, sorted: concurrent groups lock in the same order), $activities (NOS J17 codes
// of emergency offers). A site that does not exist gives no row; one without an emergency offer, no status. The
// status holds what the fold needs, its moments as epoch milliseconds (cheaper to decode than DateTime values).
// Only the status is locked once it exists (not the site: other writers of the site do not hold the feed up).
UNWIND $finesses AS f
MATCH (s:Site {finess: f})
OPTIONAL MATCH (s)-[:HAS_EMERGENCY_STATUS]->(known:EmergencyStatus)
WITH s, f, known, CASE WHEN known IS NOT NULL THEN true
                ELSE EXISTS { (s)-[:HAS_ORG*0..6]->()-[:OFFERS]->(:Offer)-[:PROVIDES]->(a:Activity)
                              WHERE a.code IN $activities } END AS emergency
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(:Commune)-[:IN]->(d:Department) RETURN d LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(d:Department) RETURN d LIMIT 1
}
OPTIONAL CALL (s, f, emergency, known) {
  WITH s, f WHERE emergency AND known IS NULL
  MERGE (created:EmergencyStatus {finess: f})
  MERGE (s)-[:HAS_EMERGENCY_STATUS]->(created)
  RETURN created
}
WITH s, f, emergency, d, coalesce(known, created) AS st
SET st._lock = coalesce(st._lock, 0) + 1
RETURN f AS finess, s.name AS site_name, coalesce(s.synthetic, false) AS synthetic_site,
       coalesce(d.code, s.department_code) AS department_code, d.region_code AS region_code, emergency,
       st {.hours, .hour_seen, .s_present, .s_waiting_to_be_seen, .s_over_4h, .s_boarding, .s_arrivals_last_hour, .fired_rule,
           observed_ms: st.observed_at.epochMillis, alert_ms: st.alert_since.epochMillis,
           calm_ms: st.calm_since.epochMillis} AS status,
       COLLECT { MATCH (s)-[:HAS_TENSION]->(t:TensionAlert {open: true})
                 RETURN t {.id, .level, .cause, .source, .auto_rule}
                 ORDER BY coalesce(t.source, '') = 'urgences' DESC, t.level DESC } AS alerts
