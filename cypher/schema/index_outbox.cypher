// The index outbox (search/outbox.py): re-projections that could not reach OpenSearch, kept until replayed.
// Repeatable (IF NOT EXISTS). No parameters.
CREATE CONSTRAINT index_outbox_id IF NOT EXISTS FOR (n:IndexOutbox) REQUIRE n.id IS UNIQUE;
