// How far the search index lags behind the graph: entries waiting in the outbox and the age of the oldest.
// Parameters: $prefix.
OPTIONAL MATCH (o:IndexOutbox {prefix: $prefix})
RETURN count(o) AS pending,
       CASE WHEN count(o) = 0 THEN null
            ELSE duration.inSeconds(min(o.queued_at), datetime()).seconds END AS oldest_seconds
