// Outbox entries of an index prefix waiting to be replayed, oldest first. Parameters: $prefix, $limit.
MATCH (o:IndexOutbox {prefix: $prefix})
RETURN o.id AS id, o.offer_id AS offer_id, o.kind AS kind, coalesce(o.sites, []) AS sites,
       o.updated_at AS updated_at
ORDER BY o.queued_at
LIMIT $limit
