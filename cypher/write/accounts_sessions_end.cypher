// End every session of a user (logout): sessions carry the epoch they were opened in, and a session whose epoch
// is not the user's current one is refused, so a captured cookie stops working at once.
// Parameters: $username. Returns the new epoch.
MATCH (u:User {username: $username})
SET u.session_epoch = coalesce(u.session_epoch, 0) + 1
RETURN u.session_epoch AS session_epoch
