"""On-site assessment (业务现场评估, R3, D4): rooms, a proposal, a signature, then orders."""
