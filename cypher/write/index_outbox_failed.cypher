// Count a failed replay on outbox entries (they stay queued). Parameters: $ids.
UNWIND $ids AS id
MATCH (o:IndexOutbox {id: id})
SET o.attempts = coalesce(o.attempts, 0) + 1, o.last_attempt_at = datetime()
RETURN count(o) AS failed
