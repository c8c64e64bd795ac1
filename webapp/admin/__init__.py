"""The audit log browser and the policy settings page."""
