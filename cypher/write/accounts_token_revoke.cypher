// Revoke an API token (kept, flagged revoked). Parameters: $id. Returns the owner.
MATCH (u:User)-[:HAS_TOKEN]->(t:ApiToken {id: $id})
SET t.revoked = true, t.revoked_at = datetime()
RETURN u.username AS username
