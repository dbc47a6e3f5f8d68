// Record an anomaly report (state à traiter), about one resource of the directory, with the sites and régions
// that handle it. Parameters: $anomaly (map: id, number, focus_type, focus_id, focus_display, theme, action,
// element_path, comment, system_requester, site_finesses, department_codes, region_codes, created_by,
// created_by_role).
CREATE (a:Anomaly)
SET a = $anomaly, a.state = 'a_traiter', a.created_at = datetime(), a.updated_at = datetime(), a.revision = 0
RETURN a {.*} AS anomaly
