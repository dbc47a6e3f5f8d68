// Location search: ids of the matching Places, nearest first when $near is given (then by id), with the
// distance in metres and the total. Group/condition shapes as in search_healthcareservice.cypher.
// lastUpdated = the later of the place's date and its latest capacity entry. Capacity parameters are
// evaluated on the same capacity figure of the latest snapshot (one figure per
// row of $capacity_fields: {field, status, gender, temporality}).
// Parameters: $anchor_ids (Place ids or null), $near ({lat, lon, meters} or null); $ids, $last_updated, $tag,
// $identifier, $name, $postal_code, $city, $commune_cog, $equipment_type, $organization, $capacity_status,
// $gender_capacity, $nb_capacity, $capacity_update, $capacity_fields; $region_system, $commune_system,
// $place_system, $capacity_status_system, $capacity_gender_system; $offset, $count.
CALL () {
  WITH 1 AS _ WHERE $anchor_ids IS NOT NULL
  UNWIND $anchor_ids AS wanted
  MATCH (p:Place {id: wanted})
  RETURN p
  UNION
  WITH 1 AS _ WHERE $anchor_ids IS NULL AND $near IS NOT NULL
  MATCH (p:Place)
  WHERE point.distance(p.location, point({latitude: $near.lat, longitude: $near.lon})) <= $near.meters
  RETURN p
  UNION
  WITH 1 AS _ WHERE $anchor_ids IS NULL AND $near IS NULL
  MATCH (p:Place)
  RETURN p
}
WITH p, CASE WHEN size($last_updated) = 0 THEN null ELSE COLLECT {
            MATCH (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot {latest: true}) RETURN k.updated_at AS at
            ORDER BY at DESC LIMIT 1 }[0] END AS capacity_at,
     CASE WHEN $near IS NULL THEN null
          ELSE point.distance(p.location, point({latitude: $near.lat, longitude: $near.lon})) END AS distance
WITH p, distance, capacity_at, coalesce(p.updated_at, p.loaded_at) AS own
WITH p, distance, CASE WHEN own IS NULL OR capacity_at > own THEN coalesce(capacity_at, own) ELSE own END AS lu
WHERE ($near IS NULL OR distance <= $near.meters)
  AND ALL(g IN $ids WHERE g.negate <> (p.id IN g.values))
  AND ALL(g IN $last_updated WHERE ANY(d IN g.values WHERE d.negate <> (lu IS NOT NULL
        AND (d.lo IS NULL OR lu >= datetime(d.lo)) AND (d.hi IS NULL OR lu < datetime(d.hi)))))
  AND ALL(g IN $identifier WHERE g.negate <> ANY(t IN g.values WHERE (t.system IS NULL OR t.system = $place_system)
        AND t.code = p.id))
  AND ALL(g IN $name WHERE ANY(s IN g.values WHERE
        (s.mode = 'start' AND toLower(p.name) STARTS WITH s.value)
        OR (s.mode = 'contains' AND toLower(p.name) CONTAINS s.value) OR (s.mode = 'exact' AND p.name = s.value)))
  AND ALL(g IN $postal_code WHERE ANY(s IN g.values WHERE
        (s.mode = 'start' AND toLower(p.postal_code) STARTS WITH s.value)
        OR (s.mode = 'contains' AND toLower(p.postal_code) CONTAINS s.value)
        OR (s.mode = 'exact' AND p.postal_code = s.value)))
  AND ALL(g IN $city WHERE ANY(s IN g.values WHERE
        (s.mode = 'start' AND toLower(p.city) STARTS WITH s.value)
        OR (s.mode = 'contains' AND toLower(p.city) CONTAINS s.value) OR (s.mode = 'exact' AND p.city = s.value)))
  AND ALL(g IN $equipment_type WHERE g.negate <> EXISTS {
        MATCH (p)-[:HAS_EQUIPMENT]->(c:EquipmentType)
        WHERE ANY(t IN g.values WHERE (t.system IS NULL OR c.system_url = t.system) AND (t.code IS NULL OR c.code = t.code)) })
  AND ALL(g IN $commune_cog WHERE g.negate <> EXISTS {
        MATCH (p)<-[:AT]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(:Site)-[:IN]->(c:Commune)
        WHERE ANY(t IN g.values WHERE (t.system IS NULL OR t.system = $commune_system) AND t.code = c.insee) })
  AND ALL(g IN $organization WHERE g.negate <> EXISTS {
        MATCH (p)<-[:AT]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
        WHERE 'eg-' + s.finess IN g.values
           OR EXISTS { MATCH (le:LegalEntity)-[:OPERATES]->(s) WHERE 'ej-' + le.finess IN g.values } })
  AND ALL(g IN $tag WHERE g.negate <> EXISTS {
        MATCH (p)<-[:AT]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(:Site)-[:IN|IN_DEPARTMENT*2..3]->(r:Region)
        WHERE ANY(t IN g.values WHERE (t.system IS NULL OR t.system = $region_system) AND t.code = r.code) })
WITH p, distance,
     CASE WHEN size($capacity_status) + size($gender_capacity) + size($nb_capacity) + size($capacity_update) = 0
          THEN null ELSE COLLECT {
            MATCH (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot {latest: true})
            UNWIND $capacity_fields AS f
            WITH k, f WHERE k[f.field] IS NOT NULL
            RETURN {status: f.status, gender: f.gender, nb: k[f.field], updated: k.updated_at}
          } END AS figures
WHERE figures IS NULL OR ANY(e IN figures WHERE
        ALL(g IN $capacity_status WHERE g.negate <> ANY(t IN g.values
            WHERE (t.system IS NULL OR t.system = $capacity_status_system) AND t.code = e.status))
    AND ALL(g IN $gender_capacity WHERE g.negate <> ANY(t IN g.values
            WHERE (t.system IS NULL OR t.system = $capacity_gender_system) AND t.code = e.gender))
    AND ALL(g IN $nb_capacity WHERE ANY(n IN g.values WHERE n.negate <> (
            (n.lo IS NULL OR e.nb > n.lo OR (n.lo_incl AND e.nb = n.lo))
            AND (n.hi IS NULL OR e.nb < n.hi OR (n.hi_incl AND e.nb = n.hi)))))
    AND ALL(g IN $capacity_update WHERE ANY(d IN g.values WHERE d.negate <> (e.updated IS NOT NULL
            AND (d.lo IS NULL OR e.updated >= datetime(d.lo)) AND (d.hi IS NULL OR e.updated < datetime(d.hi))))))
WITH p, distance ORDER BY distance, p.id
WITH collect({id: p.id, distance: distance}) AS rows
RETURN size(rows) AS total, rows[$offset..($offset + $count)] AS page
