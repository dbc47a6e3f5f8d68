// A new capacity entry for a place: the previous latest snapshot is kept as history (latest=false), the new
// one becomes the latest, and its audit entry is appended (same statement: one round trip; the entry's `at` is
// the snapshot's `updated_at`). Run after write/capacity_entry_lock in the same transaction.
// Parameters: $place_id, $id, $props (validated counts, forecast_date, crisis_type, note), $actor, $entry
// (audit entry properties, see write/audit_append).
MATCH (p:Place {id: $place_id})
OPTIONAL MATCH (p)-[:HAS_CAPACITY]->(old:CapacitySnapshot {latest: true})
SET old.latest = false
WITH DISTINCT p
CREATE (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot)
SET k = $props, k.id = $id, k.latest = true, k.updated_at = datetime(), k.updated_by = $actor,
    k.source = 'saisie', k.loaded_at = datetime(), k.synthetic = false
CREATE (a:AuditEntry)
SET a = $entry, a.at = k.updated_at
RETURN k {.*} AS snapshot, COLLECT { MATCH (p)<-[:AT]-(o:Offer) RETURN o.id } AS offer_ids
