"""Seed data: the 2023 campaign, the schools as of 2023, the 2023 clusters and the 2025 mergers."""
