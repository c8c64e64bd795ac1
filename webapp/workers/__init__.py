"""Personnel files of the service workers (R19, R20, R23)."""
