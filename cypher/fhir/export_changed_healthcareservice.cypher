// Incremental $export: ids of the offers written (updated_at: description edits, workflow moves, imports) or
// created (loaded_at) at or after $since, whatever their status (an un-published one drops out when re-read by
// fhir/healthcareservice_by_ids). Parameters: $since (ISO instant).
WITH datetime($since) AS since
MATCH (o:Offer) WHERE o.updated_at >= since OR o.loaded_at >= since
RETURN o.id AS id
