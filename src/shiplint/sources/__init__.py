"""Readers that turn source files into models with positions (Dockerfiles, shell snippets)."""
