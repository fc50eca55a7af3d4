"""Compliance: the rule and everything built on it (stored statuses, snapshots, dashboard,
people list, national overview, reminders, exports). See docs/architecture.md."""
