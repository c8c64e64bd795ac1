"""Dispatch: instructions, assigning a worker, the handover, the day's board and idle lists."""
