"""Callbacks (R18): customers called back after a service, the weekly quotas and the
register handed to the service center."""
