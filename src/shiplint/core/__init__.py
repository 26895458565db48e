"""Vocabulary shared by every layer: findings, errors, bounded file reading, paths. Imports nothing else from shiplint."""
