// The user owning a non-revoked API token, found by the token's SHA-256 hash. Parameters: $token_hash.
MATCH (u:User)-[:HAS_TOKEN]->(t:ApiToken {token_hash: $token_hash})
WHERE NOT t.revoked
RETURN t.id AS token_id, u.username AS username, u.role AS role, u.sites AS sites, u.regions AS regions,
       u.display_name AS display_name, u.active AS active
