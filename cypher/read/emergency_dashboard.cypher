// Emergency dashboard: the status of every reporting emergency site of the régions (latest report, hourly series of
// the charted indicators, threshold fired and since when) with the site's name and open tension level.
// Moments as epoch milliseconds (the driver's DateTime values cost more to decode than the rest of the answer).
// Parameters: $regions (list, or null = all), $department (or null).
MATCH (st:EmergencyStatus)
WHERE ($regions IS NULL OR st.region_code IN $regions) AND ($department IS NULL OR st.department_code = $department)
  AND st.observed_at IS NOT NULL
MATCH (s:Site {finess: st.finess})
RETURN st {.finess, .site_name, .department_code, .region_code, .synthetic, .fired_rule, .fired_level, .fired_label,
           .fired_value, observed_ms: st.observed_at.epochMillis, received_ms: st.received_at.epochMillis,
           alert_ms: st.alert_since.epochMillis,
           .arrivals_last_hour, .arrivals_today, .present, .waiting_to_be_seen, .over_4h, .boarding, .uhcd_occupied,
           .uhcd_beds, .transfers_out, .age75_share, .hours, .s_present, .s_boarding} AS status,
       s.name AS site_name, coalesce(s.synthetic, false) AS synthetic_site,
       CASE WHEN s.location IS NULL THEN null ELSE {lat: s.location.latitude, lon: s.location.longitude} END AS location,
       COLLECT { MATCH (s)-[:HAS_TENSION]->(t:TensionAlert {open: true}) RETURN t.level ORDER BY t.level DESC }[0]
         AS tension_level
