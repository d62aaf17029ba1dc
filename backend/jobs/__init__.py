"""Scheduler jobs: plain async functions of the pool, with explicit ids, safe in many processes."""
