"""Who is available: workers\x27 leave, sick days and rest days."""
