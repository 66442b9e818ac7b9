"""Hindi translations of the ward app (downtime_hi.ts, compiled to downtime_hi.qm by update.py)."""
