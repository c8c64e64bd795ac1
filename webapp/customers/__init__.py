"""Customer files (R8, R12)."""
