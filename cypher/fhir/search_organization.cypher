// Organization search over geographic entities (Site, "eg-<finess>") and legal entities (LegalEntity,
// "ej-<finess>"), ordered by id, with the total. Group/condition shapes as in search_healthcareservice.cypher;
// identifier and type tokens arrive resolved to {prop, code} (the node property to compare).
// Parameters: $anchor_finess (FINESS numbers to start from, or null: every organisation); $ids, $last_updated,
// $tag, $identifier, $type, $name, $partof, $region_system; $offset, $count.
CALL () {
  WITH 1 AS _ WHERE $anchor_finess IS NOT NULL
  UNWIND $anchor_finess AS wanted
  MATCH (s:Site {finess: wanted})
  RETURN 'eg-' + s.finess AS id, s AS n
  UNION ALL
  WITH 1 AS _ WHERE $anchor_finess IS NOT NULL
  UNWIND $anchor_finess AS wanted
  MATCH (le:LegalEntity {finess: wanted})
  RETURN 'ej-' + le.finess AS id, le AS n
  UNION ALL
  WITH 1 AS _ WHERE $anchor_finess IS NULL
  MATCH (s:Site)
  RETURN 'eg-' + s.finess AS id, s AS n
  UNION ALL
  WITH 1 AS _ WHERE $anchor_finess IS NULL
  MATCH (le:LegalEntity)
  RETURN 'ej-' + le.finess AS id, le AS n
}
WITH id, n, coalesce(n.updated_at, n.loaded_at) AS lu
WHERE ALL(g IN $ids WHERE g.negate <> (id IN g.values))
  AND ALL(g IN $last_updated WHERE ANY(d IN g.values WHERE d.negate <> (lu IS NOT NULL
        AND (d.lo IS NULL OR lu >= datetime(d.lo)) AND (d.hi IS NULL OR lu < datetime(d.hi)))))
  AND ALL(g IN $identifier WHERE g.negate <> ANY(t IN g.values WHERE n[t.prop] = t.code))
  AND ALL(g IN $type WHERE g.negate <> ANY(t IN g.values WHERE n[t.prop] = t.code))
  AND ALL(g IN $name WHERE ANY(s IN g.values WHERE
        (s.mode = 'start' AND toLower(n.name) STARTS WITH s.value)
        OR (s.mode = 'contains' AND toLower(n.name) CONTAINS s.value) OR (s.mode = 'exact' AND n.name = s.value)))
  AND ALL(g IN $partof WHERE g.negate <> EXISTS {
        MATCH (le:LegalEntity)-[:OPERATES]->(n) WHERE 'ej-' + le.finess IN g.values })
  AND ALL(g IN $tag WHERE g.negate <> EXISTS {
        MATCH (n)-[:OPERATES*0..1]->(:Site)-[:IN|IN_DEPARTMENT*2..3]->(r:Region)
        WHERE ANY(t IN g.values WHERE (t.system IS NULL OR t.system = $region_system) AND t.code = r.code) })
WITH id ORDER BY id
WITH collect(id) AS ids
RETURN size(ids) AS total, [i IN ids[$offset..($offset + $count)] | {id: i}] AS page
