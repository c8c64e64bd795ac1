"""The service code and safety manual (R24): versions and their acknowledgements."""
