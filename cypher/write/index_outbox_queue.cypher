// Queue offers whose re-projection into the search index failed (OpenSearch unreachable), one entry per offer
// and index prefix; an entry queued again keeps its first date and widens what is replayed.
// Parameters: $prefix, $kind ("capacity": the offer; "offer": the offer, its professionals and its sites),
// $offer_ids, $sites (FINESS of the sites to re-project too).
UNWIND $offer_ids AS offer_id
MERGE (o:IndexOutbox {id: $prefix + '|' + offer_id})
ON CREATE SET o.prefix = $prefix, o.offer_id = offer_id, o.queued_at = datetime(), o.kind = $kind,
              o.sites = $sites, o.attempts = 0
ON MATCH SET o.kind = CASE WHEN $kind = 'offer' THEN 'offer' ELSE o.kind END,
             o.sites = [s IN coalesce(o.sites, []) WHERE NOT s IN $sites] + $sites
SET o.updated_at = datetime()
RETURN count(o) AS queued
