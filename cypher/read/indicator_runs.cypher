// The recorded runs of the steering indicators, newest first, with their values (at most $limit runs; only
// $id when given). Parameters: $id (or null), $limit.
MATCH (r:IndicatorRun) WHERE $id IS NULL OR r.id = $id
WITH r ORDER BY r.at DESC LIMIT $limit
RETURN r.id AS id, toString(r.at) AS at, r.stale_hours AS stale_hours, coalesce(r.synthetic, false) AS synthetic,
       COLLECT { MATCH (r)-[:HAS_VALUE]->(v:IndicatorValue) RETURN v {.*} ORDER BY v.indicator, v.group, v.level,
                 v.code } AS values
ORDER BY r.at DESC
