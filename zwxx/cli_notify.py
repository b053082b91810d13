"""`zwxx remind`, `zwxx digest`, `zwxx notice`: notifications by hand."""
