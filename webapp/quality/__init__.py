"""Quality supervision (R27): on-site supervision visits and each worker's quality record."""
