"""The outbox's server side (see OFFLINE.md): sends kept by their key, pages kept by the
service worker, and what a view or service asks about the send it is running in."""
