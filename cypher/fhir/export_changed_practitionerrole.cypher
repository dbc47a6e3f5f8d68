// Incremental $export: ids ("<rpps>.<offer id>") of the roles whose professional or offer was written or
// created at or after $since: a role's lines carry the professional's fields and lastUpdated, and the offer's
// status decides whether it is public (re-publishing an offer bumps its updated_at and brings its roles back).
// Not filtered on the offer's status: the caller re-reads these ids. Parameters: $since (ISO instant).
WITH datetime($since) AS since
MATCH (pr:Professional)-[:WORKS_IN]->(o:Offer)
WHERE pr.updated_at >= since OR pr.loaded_at >= since OR o.updated_at >= since OR o.loaded_at >= since
RETURN pr.rpps + '.' + o.id AS id
