"""Monthly performance records (R21) and the month report to the administration department (R22)."""
