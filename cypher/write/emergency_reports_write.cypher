// Store a group of new emergency reports and the updated status of their sites (one report per site).
// Parameters: $writes: [{report: {message_id, finess, observed_at, values…, source, synthetic, received_by, via,
// fingerprint, late}, finess, status: {properties of EmergencyStatus to set}}].
UNWIND $writes AS w
CREATE (r:EmergencyReport)
SET r = w.report, r.received_at = datetime()
WITH w
MATCH (st:EmergencyStatus {finess: w.finess})
SET st += w.status
SET st.received_at = CASE WHEN w.latest THEN datetime() ELSE st.received_at END
RETURN count(*) AS written
