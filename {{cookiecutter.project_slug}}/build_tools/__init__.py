"""Tools that build what gets deployed (the Lambda bundle)."""
