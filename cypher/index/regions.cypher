// Région codes and names: one physical index per région and document kind. No parameters.
MATCH (r:Region) RETURN r.code AS code, r.name AS name ORDER BY code
