"""The submissions domain: deadlines in force, and the rules a filing must keep."""
