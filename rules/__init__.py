"""Rule metadata shipped with shiplint (one YAML file per rule)."""
