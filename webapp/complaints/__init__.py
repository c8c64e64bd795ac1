"""The branch's complaint register and the company's complaint procedure (R2, R28)."""
