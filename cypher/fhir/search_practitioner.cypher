// Practitioner search over Professionals, ordered by rpps, with the total.
// Group/condition shapes as in search_healthcareservice.cypher.
// Parameters: $ids, $last_updated, $tag, $identifier, $name, $family, $given, $region_system, $rpps_system;
// $offset, $count.
MATCH (pr:Professional)
WITH pr, coalesce(pr.updated_at, pr.loaded_at) AS lu,
     toLower(coalesce(pr.first_name, '')) AS given, toLower(coalesce(pr.last_name, '')) AS family
WHERE ALL(g IN $ids WHERE g.negate <> (pr.rpps IN g.values))
  AND ALL(g IN $last_updated WHERE ANY(d IN g.values WHERE d.negate <> (lu IS NOT NULL
        AND (d.lo IS NULL OR lu >= datetime(d.lo)) AND (d.hi IS NULL OR lu < datetime(d.hi)))))
  AND ALL(g IN $identifier WHERE g.negate <> ANY(t IN g.values WHERE (t.system IS NULL OR t.system = $rpps_system)
        AND t.code = pr.rpps))
  AND ALL(g IN $family WHERE ANY(s IN g.values WHERE (s.mode = 'start' AND family STARTS WITH s.value)
        OR (s.mode = 'contains' AND family CONTAINS s.value) OR (s.mode = 'exact' AND pr.last_name = s.value)))
  AND ALL(g IN $given WHERE ANY(s IN g.values WHERE (s.mode = 'start' AND given STARTS WITH s.value)
        OR (s.mode = 'contains' AND given CONTAINS s.value) OR (s.mode = 'exact' AND pr.first_name = s.value)))
  AND ALL(g IN $name WHERE ANY(s IN g.values WHERE
        (s.mode = 'start' AND (family STARTS WITH s.value OR given STARTS WITH s.value))
        OR (s.mode = 'contains' AND (family CONTAINS s.value OR given CONTAINS s.value))
        OR (s.mode = 'exact' AND s.value IN [pr.last_name, pr.first_name])))
  AND ALL(g IN $tag WHERE g.negate <> EXISTS {
        MATCH (pr)-[:WORKS_IN]->(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(:Site)-[:IN|IN_DEPARTMENT*2..3]->(r:Region)
        WHERE ANY(t IN g.values WHERE (t.system IS NULL OR t.system = $region_system) AND t.code = r.code) })
WITH pr ORDER BY pr.rpps
WITH collect(pr.rpps) AS ids
RETURN size(ids) AS total, [i IN ids[$offset..($offset + $count)] | {id: i}] AS page
