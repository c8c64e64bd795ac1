"""What the manager reads before dispatch: the customer at a glance, notes for next time."""
