// Create one user account (fails on an existing username: unique constraint). Returns the stored user.
// Parameters: $username, $password_hash, $role, $sites (list of FINESS), $regions (list of région codes),
// $display_name.
CREATE (u:User {username: $username, password_hash: $password_hash, role: $role, sites: $sites,
                regions: $regions, display_name: $display_name, active: true, created_at: datetime(),
                updated_at: datetime()})
RETURN u.username AS username, u.role AS role, u.sites AS sites, u.regions AS regions,
       u.display_name AS display_name, u.active AS active
