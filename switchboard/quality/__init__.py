"""Call quality: recordings kept for evaluation (with consent) and callers' ratings."""
