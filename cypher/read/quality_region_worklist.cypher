// The coordinators' validation queues of one région: offers in draft, validated by professionals, validated by
// direction (to publish), and published offers whose description changed since their publication. Returns one
// row per queue with its size and, for the queue asked for, the offers that have waited longest first.
// Parameters: $region, $queue, $limit.
MATCH (d:Department {region_code: $region})
CALL (d) {
  MATCH (d)<-[:IN]-(:Commune)<-[:IN]-(s:Site) RETURN s
  UNION
  MATCH (d)<-[:IN_DEPARTMENT]-(s:Site) RETURN s
}
MATCH (s)-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer)
WITH o, min([s.finess, s.name]) AS site
WITH o, site, coalesce(o.status, 'draft') AS status
WITH o, site, CASE
    WHEN status <> 'published' THEN status
    WHEN coalesce(o.revision, 0) > coalesce(o.published_revision, 0) THEN 'changed_since_publication'
  END AS queue
WHERE queue IS NOT NULL
ORDER BY o.updated_at, o.id
WITH queue, count(*) AS total,
     collect(CASE WHEN queue = $queue THEN {offer_id: o.id, finess: site[0], site_name: site[1],
                                            updated_at: toString(o.updated_at), updated_by: o.updated_by} END) AS listed
RETURN queue, total, listed[..$limit] AS offers
