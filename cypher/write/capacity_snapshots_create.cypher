// New capacity entries (at most one per place), run after write/capacity_entries_lock in the same transaction:
// each place's previous latest snapshot is kept as history (latest=false), the new one becomes the latest, and
// its audit entry is appended (the entry's `at` is the snapshot's `updated_at`).
// Parameters: $writes: [{place_id, id, props (validated counts, forecast_date, crisis_type, note), actor,
// entry (audit entry properties, see write/audit_append)}].
UNWIND $writes AS w
MATCH (p:Place {id: w.place_id})
OPTIONAL MATCH (p)-[:HAS_CAPACITY]->(old:CapacitySnapshot {latest: true})
SET old.latest = false
WITH DISTINCT p, w
CREATE (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot)
SET k = w.props, k.id = w.id, k.latest = true, k.updated_at = datetime(), k.updated_by = w.actor,
    k.source = 'saisie', k.loaded_at = datetime(), k.synthetic = false
CREATE (a:AuditEntry)
SET a = w.entry, a.at = k.updated_at
RETURN w.place_id AS place_id, k {.*} AS snapshot, COLLECT { MATCH (p)<-[:AT]-(o:Offer) RETURN o.id } AS offer_ids
