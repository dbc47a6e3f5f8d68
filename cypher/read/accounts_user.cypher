// One user account with its password hash. Parameters: $username.
MATCH (u:User {username: $username})
RETURN u.username AS username, u.role AS role, u.sites AS sites, u.regions AS regions,
       u.display_name AS display_name, u.active AS active, u.password_hash AS password_hash,
       coalesce(u.session_epoch, 0) AS session_epoch
