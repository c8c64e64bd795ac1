"""Safety training (R25): sessions, attendance signed on the shared tablet, monthly hours."""
