"""Views that rules use over the parsed sources: the Dockerfile model, package operations, the Kubernetes model and index."""
