// Move an offer along the validation workflow, only from the expected status (optimistic check under the
// offer's lock), recording who and when for the step reached. Returns nothing when the status was not $from.
// Publishing (or confirming a publication, published → published) records the description revision published:
// later edits leave the offer visible and put it in the coordinators' "modified since publication" queue.
// Parameters: $id, $from_status, $to, $actor, $revision (the description revision reviewed, or null).
MATCH (o:Offer {id: $id})
SET o._lock = coalesce(o._lock, 0) + 1
WITH o, coalesce(o.status, 'draft') AS before
WHERE before = $from_status AND ($revision IS NULL OR coalesce(o.revision, 0) = $revision)
SET o.status = $to, o.updated_at = datetime(), o.updated_by = $actor
SET o += CASE $to
  WHEN 'validated_professionals' THEN {validated_professionals_by: $actor, validated_professionals_at: datetime()}
  WHEN 'validated_direction' THEN {validated_direction_by: $actor, validated_direction_at: datetime()}
  WHEN 'published' THEN {published_by: $actor, published_at: datetime(), published_revision: coalesce(o.revision, 0)}
  ELSE {validated_professionals_by: null, validated_professionals_at: null, validated_direction_by: null,
        validated_direction_at: null, published_by: null, published_at: null, published_revision: null,
        returned_to_draft_by: $actor, returned_to_draft_at: datetime()}
END
RETURN before, o.status AS status, toString(o.updated_at) AS at, o.published_revision AS published_revision
