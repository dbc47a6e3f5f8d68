// Replace a password hash (argon2 parameters upgraded). Parameters: $username, $password_hash.
MATCH (u:User {username: $username})
SET u.password_hash = $password_hash
