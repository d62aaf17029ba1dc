"""Manager digests: the daily figures, the markdown message, the H5 page data, the weekly review."""
