"""Reads for organisations: invitations and personal data (access: organisations/access.py;
compliance: organisations/compliance/)."""
