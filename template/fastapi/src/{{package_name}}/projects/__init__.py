"""Projects: the example domain resource, shaped as every domain of this service is."""
