"""EFH platform."""
