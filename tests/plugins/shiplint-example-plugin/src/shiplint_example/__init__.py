"""An example shiplint plugin (see plugin.py)."""
