// Population campaign follow-up of one site (launch, referent trainings, ARS validation); returns before/after.
// Parameters: $finess, $changes (map of population_campaign_launched_on, population_trainings,
// population_ars_validated_on — dates), $actor.
MATCH (s:Site {finess: $finess})
WITH s, s {.population_campaign_launched_on, .population_trainings, .population_ars_validated_on} AS before
SET s += $changes, s.updated_at = datetime(), s.updated_by = $actor
RETURN before, s {.population_campaign_launched_on, .population_trainings, .population_ars_validated_on} AS after
