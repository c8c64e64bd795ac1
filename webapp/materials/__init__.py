"""The branch's materials as a whole (R1): stock received, issued, returned, on hand,
and the month's use."""
