// HealthcareService search: ids of the matching Offers ordered by id (stable paging), with the total.
// Filters are lists of groups (repeated parameter = AND), a group's values are OR-ed, `negate` is `:not`;
// an empty list disables a filter. Tokens {system, code} (null = any); dates {negate, lo, hi} (ISO, hi
// exclusive); numbers {negate, lo, lo_incl, hi, hi_incl}; strings {mode: start|contains|exact, value}.
// Parameters: $anchor_ids (Offer ids or null), $anchor_activity (tokens or null) — where to start;
// $ids, $last_updated, $tag, $specialty, $characteristic, $service_type, $service_category, $patient_type,
// $identifier, $name, $age_low, $age_high, $location, $organization, $active; $age_bounds (AgeGroup code →
// [low, high] years); $region_system, $offer_system; $offset, $count.
CALL () {
  WITH 1 AS _ WHERE $anchor_ids IS NOT NULL
  UNWIND $anchor_ids AS wanted
  MATCH (o:Offer {id: wanted})
  RETURN o
  UNION
  WITH 1 AS _ WHERE $anchor_ids IS NULL AND $anchor_activity IS NOT NULL
  MATCH (a:Activity)
  WHERE ANY(t IN $anchor_activity WHERE (t.system IS NULL OR a.system_url = t.system)
                                      AND (t.code IS NULL OR a.code = t.code))
  MATCH (a)<-[:PROVIDES]-(o:Offer)
  RETURN o
  UNION
  WITH 1 AS _ WHERE $anchor_ids IS NULL AND $anchor_activity IS NULL
  MATCH (o:Offer)
  RETURN o
}
WITH o, coalesce(o.updated_at, o.loaded_at) AS lu
WHERE o.status = 'published'  // only published offers are public
  AND ALL(g IN $ids WHERE g.negate <> (o.id IN g.values))
  AND ALL(g IN $last_updated WHERE ANY(d IN g.values WHERE d.negate <> (lu IS NOT NULL
        AND (d.lo IS NULL OR lu >= datetime(d.lo)) AND (d.hi IS NULL OR lu < datetime(d.hi)))))
  AND ALL(g IN $active WHERE g.negate <> ANY(t IN g.values WHERE t.code = toString(o.status = 'published')))
  AND ALL(g IN $identifier WHERE g.negate <> ANY(t IN g.values WHERE (t.system IS NULL OR t.system = $offer_system)
        AND t.code = o.id))
  AND ALL(g IN $name WHERE ANY(s IN g.values WHERE
        (s.mode = 'start' AND toLower(o.name) STARTS WITH s.value)
        OR (s.mode = 'contains' AND toLower(o.name) CONTAINS s.value) OR (s.mode = 'exact' AND o.name = s.value)))
  AND ALL(g IN $specialty WHERE g.negate <> EXISTS {
        MATCH (o)-[:PROVIDES]->(c:Activity)
        WHERE ANY(t IN g.values WHERE (t.system IS NULL OR c.system_url = t.system) AND (t.code IS NULL OR c.code = t.code)) })
  AND ALL(g IN $characteristic WHERE g.negate <> EXISTS {
        MATCH (o)-[:MODE|PERFORMS]->(c:Concept)
        WHERE ANY(t IN g.values WHERE (t.system IS NULL OR c.system_url = t.system) AND (t.code IS NULL OR c.code = t.code)) })
  AND ALL(g IN $service_type WHERE g.negate <> EXISTS {
        MATCH (o)-[:IN_FIELD]->(c:Field)
        WHERE ANY(t IN g.values WHERE (t.system IS NULL OR c.system_url = t.system) AND (t.code IS NULL OR c.code = t.code)) })
  AND ALL(g IN $service_category WHERE g.negate <> EXISTS {
        MATCH (o)-[:PROVIDES]->(:Activity)<-[:GROUPS]-(c:ActivityFamily)
        WHERE ANY(t IN g.values WHERE (t.system IS NULL OR c.system_url = t.system) AND (t.code IS NULL OR c.code = t.code)) })
  AND ALL(g IN $patient_type WHERE g.negate <> EXISTS {
        MATCH (o)-[:FOR_PUBLIC]->(c:Public)
        WHERE ANY(t IN g.values WHERE (t.system IS NULL OR c.system_url = t.system) AND (t.code IS NULL OR c.code = t.code)) })
  AND ALL(g IN $location WHERE g.negate <> EXISTS { MATCH (o)-[:AT]->(p:Place) WHERE p.id IN g.values })
  AND ALL(g IN $organization WHERE g.negate <> EXISTS {
        MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
        WHERE 'eg-' + s.finess IN g.values
           OR EXISTS { MATCH (le:LegalEntity)-[:OPERATES]->(s) WHERE 'ej-' + le.finess IN g.values } })
  AND ALL(g IN $tag WHERE g.negate <> EXISTS {
        MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(:Site)-[:IN|IN_DEPARTMENT*2..3]->(r:Region)
        WHERE ANY(t IN g.values WHERE (t.system IS NULL OR t.system = $region_system) AND t.code = r.code) })
WITH o, CASE WHEN size($age_low) + size($age_high) = 0 THEN [] ELSE COLLECT {
          MATCH (o)-[:FOR_AGE]->(ag:AgeGroup) WHERE $age_bounds[ag.code] IS NOT NULL RETURN $age_bounds[ag.code]
        } END AS bounds
WITH o, reduce(m = null, b IN bounds | CASE WHEN m IS NULL OR b[0] < m THEN b[0] ELSE m END) AS age_low,
        reduce(m = null, b IN bounds | CASE WHEN m IS NULL OR b[1] > m THEN b[1] ELSE m END) AS age_high
WHERE ALL(g IN $age_low WHERE ANY(n IN g.values WHERE age_low IS NOT NULL AND n.negate <> (
        (n.lo IS NULL OR age_low > n.lo OR (n.lo_incl AND age_low = n.lo))
        AND (n.hi IS NULL OR age_low < n.hi OR (n.hi_incl AND age_low = n.hi)))))
  AND ALL(g IN $age_high WHERE ANY(n IN g.values WHERE age_high IS NOT NULL AND n.negate <> (
        (n.lo IS NULL OR age_high > n.lo OR (n.lo_incl AND age_high = n.lo))
        AND (n.hi IS NULL OR age_high < n.hi OR (n.hi_incl AND age_high = n.hi)))))
WITH o ORDER BY o.id
WITH collect(o.id) AS ids
RETURN size(ids) AS total, [i IN ids[$offset..($offset + $count)] | {id: i}] AS page
