"""The Kubernetes model: resources, pod templates, containers, selectors and the cross-resource index."""
