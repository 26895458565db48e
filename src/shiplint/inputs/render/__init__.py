"""Renderers (Helm, Kustomize): each returns rendered text and an origin map back to the sources."""
