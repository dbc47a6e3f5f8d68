// Reports already received under these message ids (idempotency: a retransmission changes nothing).
// Parameters: $message_ids.
UNWIND $message_ids AS m
MATCH (r:EmergencyReport {message_id: m})
RETURN r.message_id AS message_id, r.finess AS finess, r.fingerprint AS fingerprint
