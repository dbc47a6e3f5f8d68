// Crisis modules (issue 17): plan blanc states and crisis resources of establishments, the régions' crisis surveys,
// emergency activity reports and status, adverse-event forms. Repeatable (IF NOT EXISTS). No parameters.
CREATE CONSTRAINT crisis_plan_state_id IF NOT EXISTS FOR (n:CrisisPlanState) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT crisis_resources_id IF NOT EXISTS FOR (n:CrisisResources) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT crisis_survey_id IF NOT EXISTS FOR (n:CrisisSurvey) REQUIRE n.id IS UNIQUE;
CREATE INDEX crisis_plan_latest IF NOT EXISTS FOR (n:CrisisPlanState) ON (n.latest);
CREATE INDEX crisis_resources_latest IF NOT EXISTS FOR (n:CrisisResources) ON (n.latest);
CREATE INDEX crisis_survey_region IF NOT EXISTS FOR (n:CrisisSurvey) ON (n.region_code, n.open);
CREATE CONSTRAINT emergency_report_message IF NOT EXISTS FOR (n:EmergencyReport) REQUIRE n.message_id IS UNIQUE;
CREATE INDEX emergency_report_site_time IF NOT EXISTS FOR (n:EmergencyReport) ON (n.finess, n.observed_at);
CREATE CONSTRAINT emergency_status_finess IF NOT EXISTS FOR (n:EmergencyStatus) REQUIRE n.finess IS UNIQUE;
CREATE INDEX emergency_status_region IF NOT EXISTS FOR (n:EmergencyStatus) ON (n.region_code);
CREATE CONSTRAINT adverse_event_id IF NOT EXISTS FOR (n:AdverseEvent) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT adverse_event_answer_id IF NOT EXISTS FOR (n:AdverseEventAnswer) REQUIRE n.id IS UNIQUE;
CREATE INDEX capacity_crisis_type IF NOT EXISTS FOR (n:CapacitySnapshot) ON (n.crisis_type);
