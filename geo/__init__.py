"""Where: gazetteer of communes, geocoding, great-circle distances, territories."""
