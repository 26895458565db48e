"""shiplint: a linter and policy checker for what teams ship to Kubernetes."""

__version__ = "0.1.0"
