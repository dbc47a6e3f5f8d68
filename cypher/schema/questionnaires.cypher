// Input templates written through the FHIR API (POST / PUT /fhir/Questionnaire): one node per template, found by
// its FHIR id. Repeatable (IF NOT EXISTS). No parameters.
CREATE CONSTRAINT questionnaire_id IF NOT EXISTS FOR (n:Questionnaire) REQUIRE n.id IS UNIQUE;
