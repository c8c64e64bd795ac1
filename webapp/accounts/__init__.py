"""Companies, branches, users, login sessions."""
