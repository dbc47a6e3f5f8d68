// What an offer page shows beyond the search projection: provenance, places with equipment hours,
// capacity history (oldest first, for the sparkline) and the organisation path above the offer.
// Parameters: $offer_id, $history (max snapshots per place)
MATCH (o:Offer {id: $offer_id})
OPTIONAL MATCH (o)-[:AT]->(pl:Place)
OPTIONAL MATCH (pl)-[he:HAS_EQUIPMENT]->(eq:EquipmentType)
WITH o, pl, collect(CASE WHEN eq IS NULL THEN NULL ELSE {code: eq.code, label: eq.label, count: he.count,
                                                          hours: he.hours} END) AS equipment
OPTIONAL MATCH (pl)-[:HAS_CAPACITY]->(c:CapacitySnapshot)
WITH o, pl, equipment, c ORDER BY c.updated_at
WITH o, pl, equipment, collect(CASE WHEN c IS NULL THEN NULL ELSE {
  updated_at: toString(c.updated_at), available_total: c.available_total, installed: c.installed} END) AS history
WITH o, collect(CASE WHEN pl IS NULL THEN NULL ELSE {
  id: pl.id, name: pl.name, address: pl.address_line1, postal_code: pl.postal_code, city: pl.city,
  installed_beds: pl.installed_beds, equipment: equipment,
  history: history[size(history) - $history..]} END) AS places
OPTIONAL MATCH org_path = (s:Site)-[:HAS_ORG*0..4]->(parent)-[:OFFERS]->(o)
WITH o, places, org_path ORDER BY length(org_path) DESC
WITH o, places, head(collect(org_path)) AS org_path
RETURN o.source AS source, o.source_version AS source_version, toString(o.loaded_at) AS loaded_at,
       coalesce(o.synthetic, false) AS synthetic, places,
       CASE WHEN org_path IS NULL THEN [] ELSE
         [n IN nodes(org_path) | {name: n.name, kind: coalesce(n.kind, 'site'), finess: n.finess}] END AS org_path
