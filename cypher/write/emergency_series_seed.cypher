// Write hourly series straight into sites' emergency statuses (the synthetic feed's older history), creating the
// status with its territory when missing. Parameters: $rows: [{finess, series: {hours, hour_seen, s_…}}].
UNWIND $rows AS row
MATCH (s:Site {finess: row.finess})
MERGE (st:EmergencyStatus {finess: row.finess})
MERGE (s)-[:HAS_EMERGENCY_STATUS]->(st)
SET st._lock = coalesce(st._lock, 0) + 1
SET st += row.series, st.site_name = s.name
WITH s, st
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(:Commune)-[:IN]->(d:Department) RETURN d LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(d:Department) RETURN d LIMIT 1
}
SET st.department_code = coalesce(d.code, s.department_code), st.region_code = d.region_code
RETURN count(*) AS written
