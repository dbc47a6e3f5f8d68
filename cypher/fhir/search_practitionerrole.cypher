// PractitionerRole search: one role per (Professional)-[:WORKS_IN]->(Offer), id "<rpps>.<offer id>",
// ordered by id, with the total. Group/condition shapes as in search_healthcareservice.cypher.
// Parameters: $anchor_services (Offer ids or null), $anchor_practitioners (rpps or null); $ids, $last_updated,
// $tag, $identifier, $service, $practitioner, $organization, $role, $specialty; $region_system,
// $rpps_system; $offset, $count.
CALL () {
  WITH 1 AS _ WHERE $anchor_services IS NOT NULL
  UNWIND $anchor_services AS wanted
  MATCH (pr:Professional)-[w:WORKS_IN]->(o:Offer {id: wanted})
  RETURN pr, w, o
  UNION
  WITH 1 AS _ WHERE $anchor_services IS NULL AND $anchor_practitioners IS NOT NULL
  UNWIND $anchor_practitioners AS wanted
  MATCH (pr:Professional {rpps: wanted})-[w:WORKS_IN]->(o:Offer)
  RETURN pr, w, o
  UNION
  WITH 1 AS _ WHERE $anchor_services IS NULL AND $anchor_practitioners IS NULL
  MATCH (pr:Professional)-[w:WORKS_IN]->(o:Offer)
  RETURN pr, w, o
}
WITH pr, w, o, pr.rpps + '.' + o.id AS id, coalesce(pr.updated_at, pr.loaded_at) AS lu
WHERE o.status = 'published'  // roles of unpublished offers are not public
  AND ALL(g IN $ids WHERE g.negate <> (id IN g.values))
  AND ALL(g IN $last_updated WHERE ANY(d IN g.values WHERE d.negate <> (lu IS NOT NULL
        AND (d.lo IS NULL OR lu >= datetime(d.lo)) AND (d.hi IS NULL OR lu < datetime(d.hi)))))
  AND ALL(g IN $identifier WHERE g.negate <> ANY(t IN g.values WHERE (t.system IS NULL OR t.system = $rpps_system)
        AND t.code = pr.rpps))
  AND ALL(g IN $service WHERE g.negate <> (o.id IN g.values))
  AND ALL(g IN $practitioner WHERE g.negate <> (pr.rpps IN g.values))
  AND ALL(g IN $role WHERE g.negate <> ANY(t IN g.values WHERE t.code IN [w.function, pr.profession_code]))
  AND ALL(g IN $specialty WHERE g.negate <> EXISTS {
        MATCH (pr)-[:HAS_SPECIALTY]->(c:Specialty)
        WHERE ANY(t IN g.values WHERE (t.system IS NULL OR c.system_url = t.system) AND (t.code IS NULL OR c.code = t.code)) })
  AND ALL(g IN $organization WHERE g.negate <> EXISTS {
        MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site) WHERE 'eg-' + s.finess IN g.values })
  AND ALL(g IN $tag WHERE g.negate <> EXISTS {
        MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(:Site)-[:IN|IN_DEPARTMENT*2..3]->(r:Region)
        WHERE ANY(t IN g.values WHERE (t.system IS NULL OR t.system = $region_system) AND t.code = r.code) })
WITH id ORDER BY id
WITH collect(id) AS ids
RETURN size(ids) AS total, [i IN ids[$offset..($offset + $count)] | {id: i}] AS page
