"""The week's customer files: collated by the branch, handed over frozen (R12, R13)."""
