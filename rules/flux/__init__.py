"""Flux GitOps rules (FX…): Kustomizations, HelmReleases and image automation objects."""
