"""Deterministic demo data (a county of Guizhou with its children, volunteers and pairs)."""
