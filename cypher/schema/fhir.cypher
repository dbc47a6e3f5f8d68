// Indexes of the FHIR facade. Repeatable (IF NOT EXISTS). No parameters.
// Tombstones of deleted resources: found by (type, id) on a 410 read or a re-publication, by date for `_since`.
CREATE CONSTRAINT tombstone_resource IF NOT EXISTS FOR (n:Tombstone) REQUIRE (n.resource_type, n.resource_id) IS UNIQUE;
CREATE INDEX tombstone_deleted_at IF NOT EXISTS FOR (n:Tombstone) ON (n.deleted_at);
