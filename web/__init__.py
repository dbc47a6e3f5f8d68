"""Flask front end (French pages), JSON API and FHIR façade."""
