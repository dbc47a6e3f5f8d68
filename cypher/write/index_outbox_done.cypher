// Remove replayed outbox entries, unless queued again since the replay read them (then they stay for the
// next round). Parameters: $entries: [{id, updated_at}].
UNWIND $entries AS e
MATCH (o:IndexOutbox {id: e.id})
WHERE o.updated_at <= e.updated_at
DELETE o
RETURN count(*) AS done
