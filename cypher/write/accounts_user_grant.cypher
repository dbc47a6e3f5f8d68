// Change the role and scopes of a user (the caller computed the new lists). Returns before and after.
// Parameters: $username, $role, $sites, $regions, $active.
MATCH (u:User {username: $username})
WITH u, {role: u.role, sites: u.sites, regions: u.regions, active: u.active} AS before
SET u.role = $role, u.sites = $sites, u.regions = $regions, u.active = $active, u.updated_at = datetime()
RETURN before, {role: u.role, sites: u.sites, regions: u.regions, active: u.active} AS after
