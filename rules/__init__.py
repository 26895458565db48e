"""The built-in rule catalogue: one YAML metadata file and one check module per rule, side by
side in a folder per pack (``core``, ``dockerfile``, ``kubernetes``, ``flux``, ``compose``, ``ci``)."""
