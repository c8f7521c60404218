"""Login, logout and the session."""
