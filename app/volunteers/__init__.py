"""Volunteers: registration, screening, capacity, pause and exit."""
