"""Offline-first: the outbox's server side, the service worker, the conflicts page."""
