"""The ini policy: read safely, validate with a line for every error, keep the last good one."""
