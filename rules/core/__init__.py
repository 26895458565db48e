"""Rules stamped by the engine itself (parse errors, unreadable files…)."""
