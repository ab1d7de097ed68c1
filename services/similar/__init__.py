"""Similar and duplicate issues (work in progress)."""
