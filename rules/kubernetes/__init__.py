"""Kubernetes rules (KS…): single-object checks and cross-resource checks."""
