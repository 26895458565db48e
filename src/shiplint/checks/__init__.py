"""Built-in checks, one small module per rule (metadata in the top-level ``rules/`` tree)."""
