"""Orchestration: the only package that imports every layer below it."""

from shiplint.engine.pipeline import (Context, Engine, Notification, Options, Report, default_jobs, parallel_jobs,
                                      token_matches)

__all__ = ["Context", "Engine", "Notification", "Options", "Report", "default_jobs", "parallel_jobs", "token_matches"]
