"""Alerts: rules and thresholds, casework from open to resolved, the supervision agenda."""
