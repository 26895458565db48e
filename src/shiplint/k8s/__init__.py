"""Compatibility package: ``shiplint.k8s.model`` is where plugins imported the Kubernetes model
from before it moved to :mod:`shiplint.model.k8s`. Kept as a re-export for one release."""
