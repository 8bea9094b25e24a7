"""``county``: the reference county backend of county-api.md (see county/README.md)."""
