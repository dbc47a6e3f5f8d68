// Capacity board of one région, one row per bedded place (installed beds or at least one capacity entry): its
// site and département, the activities (J17) and fields (J20) of the offers held there, the latest entry and the
// entries since $since (plus the last one before it) for the daily trend, times as epoch milliseconds.
// Parameters: $region, $since (datetime: start of the trend window).
MATCH (d:Department {region_code: $region})
MATCH (s:Site {department_code: d.code})
MATCH (s)-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer)-[:AT]->(p:Place)
WITH d, s, p, collect(DISTINCT o) AS offers
WHERE p.installed_beds > 0 OR EXISTS { (p)-[:HAS_CAPACITY]->(:CapacitySnapshot) }
OPTIONAL MATCH (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot {latest: true})
WITH d, s, p, offers, k
RETURN d.code AS department_code, d.name AS department_name, s.finess AS finess, s.name AS site_name,
       p.id AS place_id, p.name AS place_name, p.installed_beds AS installed_beds,
       [o IN offers | o.name][..4] AS offer_names,
       COLLECT { UNWIND offers AS o MATCH (o)-[:PROVIDES]->(a:Activity) RETURN DISTINCT a.code } AS activities,
       COLLECT { UNWIND offers AS o MATCH (o)-[:IN_FIELD]->(f:Field) RETURN DISTINCT f.code } AS fields,
       CASE WHEN k IS NULL THEN NULL ELSE {id: k.id, at: k.updated_at.epochMillis, installed: k.installed,
         available: k.available_total, women: k.available_women, men: k.available_men,
         undifferentiated: k.available_undifferentiated} END AS latest,
       COLLECT { MATCH (p)-[:HAS_CAPACITY]->(h:CapacitySnapshot) WHERE h.updated_at >= $since
                 RETURN [h.updated_at.epochMillis, h.available_total] AS point } +
       COLLECT { MATCH (p)-[:HAS_CAPACITY]->(h:CapacitySnapshot) WHERE h.updated_at < $since
                 WITH h ORDER BY h.updated_at DESC LIMIT 1
                 RETURN [h.updated_at.epochMillis, h.available_total] AS point } AS history
