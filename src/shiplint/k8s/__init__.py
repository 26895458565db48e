"""The Kubernetes model: resources, pod templates, containers, and the cross-resource index."""
