"""Dockerfile rules (DF…): each module checks one parsed Dockerfile."""
