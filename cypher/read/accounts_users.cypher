// Every user account (no secrets), with its number of active tokens. No parameters.
MATCH (u:User)
RETURN u.username AS username, u.role AS role, u.sites AS sites, u.regions AS regions,
       u.display_name AS display_name, u.active AS active,
       COUNT { (u)-[:HAS_TOKEN]->(t:ApiToken) WHERE NOT t.revoked } AS tokens
ORDER BY username
