"""Writes for organisations: audit log, memberships, teams, invitations, import, personal data."""
