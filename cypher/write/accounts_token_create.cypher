// Attach a new API token (only its SHA-256 hash is stored) to a user.
// Parameters: $username, $id, $token_hash, $name.
MATCH (u:User {username: $username})
CREATE (u)-[:HAS_TOKEN]->(t:ApiToken {id: $id, token_hash: $token_hash, name: $name, created_at: datetime(),
                                       revoked: false})
RETURN t.id AS id
