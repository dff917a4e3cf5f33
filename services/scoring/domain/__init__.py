"""The scoring rules: pure functions of a year's facts and the campaign's data."""
