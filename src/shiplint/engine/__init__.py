"""Orchestration: the only package that imports every layer below it."""

from shiplint.engine.checker import Context
from shiplint.engine.options import Notification, Options, Report
from shiplint.engine.parallel import default_jobs, parallel_jobs
from shiplint.engine.pipeline import Engine
from shiplint.registry.selection import token_matches

__all__ = ["Context", "Engine", "Notification", "Options", "Report", "default_jobs", "parallel_jobs", "token_matches"]
