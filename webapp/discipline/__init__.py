"""Rewards, penalties and dismissal (R26)."""
