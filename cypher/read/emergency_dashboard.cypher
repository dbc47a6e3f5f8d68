// Emergency dashboard: the status of every reporting emergency site of the régions (latest report, hourly series of
// the last days, threshold fired and since when) with the site's name and open tension level.
// Parameters: $regions (list, or null = all), $department (or null).
MATCH (st:EmergencyStatus)
WHERE ($regions IS NULL OR st.region_code IN $regions) AND ($department IS NULL OR st.department_code = $department)
  AND st.observed_at IS NOT NULL
MATCH (s:Site {finess: st.finess})
RETURN st {.*} AS status, s.name AS site_name, coalesce(s.synthetic, false) AS synthetic_site,
       CASE WHEN s.location IS NULL THEN null ELSE {lat: s.location.latitude, lon: s.location.longitude} END AS location,
       COLLECT { MATCH (s)-[:HAS_TENSION]->(t:TensionAlert {open: true}) RETURN t.level ORDER BY t.level DESC }[0]
         AS tension_level
