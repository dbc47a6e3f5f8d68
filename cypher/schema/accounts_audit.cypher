// Accounts, API tokens and the audit log (issue 7). Repeatable (IF NOT EXISTS). No parameters.
CREATE CONSTRAINT user_username IF NOT EXISTS FOR (n:User) REQUIRE n.username IS UNIQUE;
CREATE CONSTRAINT api_token_id IF NOT EXISTS FOR (n:ApiToken) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT api_token_hash IF NOT EXISTS FOR (n:ApiToken) REQUIRE n.token_hash IS UNIQUE;
CREATE CONSTRAINT audit_entry_id IF NOT EXISTS FOR (n:AuditEntry) REQUIRE n.id IS UNIQUE;
CREATE INDEX audit_entry_at IF NOT EXISTS FOR (n:AuditEntry) ON (n.at);
CREATE INDEX audit_entry_target IF NOT EXISTS FOR (n:AuditEntry) ON (n.target_id);
CREATE INDEX audit_entry_region IF NOT EXISTS FOR (n:AuditEntry) ON (n.region_code);
CREATE INDEX capacity_updated_at IF NOT EXISTS FOR (n:CapacitySnapshot) ON (n.updated_at);
