"""JSON Schemas of shiplint's own files (rule metadata, configuration, policies)."""
