"""Flask front end (French pages), JSON API and FHIR façade."""

from web.app import create_app, serve

__all__ = ["create_app", "serve"]
