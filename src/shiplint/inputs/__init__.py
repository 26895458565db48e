"""What to check: discovery of inputs, cross-resource context files, and renderers. Produces documents; never runs a rule."""
