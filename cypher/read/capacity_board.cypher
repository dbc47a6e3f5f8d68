// Regional capacity board: per département and activity, places, installed and available beds of the latest
// entries, entries older than the stale delay, and the daily total available over the last $days days
// (for each day, the last entry of each place made before the end of that day, Paris time).
// Parameters: $regions (list or null = all), $department (or null), $stale_minutes, $days.
MATCH (d:Department)
WHERE ($regions IS NULL OR d.region_code IN $regions) AND ($department IS NULL OR d.code = $department)
CALL (d) {
  MATCH (d)<-[:IN]-(:Commune)<-[:IN]-(s:Site) RETURN s
  UNION
  MATCH (d)<-[:IN_DEPARTMENT]-(s:Site) RETURN s
}
MATCH (s)-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer)-[:AT]->(p:Place)
MATCH (o)-[:PROVIDES]->(a:Activity)
WITH DISTINCT d, a, p
OPTIONAL MATCH (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot {latest: true})
WITH d, a, collect(p) AS places, sum(coalesce(k.installed, p.installed_beds, 0)) AS installed,
     sum(coalesce(k.available_total, 0)) AS available, count(k) AS entered,
     sum(CASE WHEN k IS NULL OR k.updated_at < datetime() - duration({minutes: $stale_minutes}) THEN 1 ELSE 0 END)
       AS stale
UNWIND range($days - 1, 0, -1) AS back
WITH d, a, places, installed, available, entered, stale, back,
     datetime.truncate('day', datetime({timezone: 'Europe/Paris'})) + duration({days: 1 - back}) AS day_end
CALL (places, day_end) {
  UNWIND places AS p
  CALL (p, day_end) {
    MATCH (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot) WHERE k.updated_at < day_end
    RETURN k.available_total AS value ORDER BY k.updated_at DESC LIMIT 1
  }
  RETURN sum(value) AS total, count(value) AS reporting
}
WITH d, a, size(places) AS place_count, installed, available, entered, stale,
     collect({day: toString(date(day_end - duration({days: 1}))), available: total, reporting: reporting}) AS trend
RETURN d.code AS department_code, d.name AS department_name, d.region_code AS region_code,
       a.code AS activity_code, a.label AS activity_label, place_count, entered, installed, available, stale, trend
ORDER BY department_code, activity_label
