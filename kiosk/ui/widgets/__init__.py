"""Small reusable widgets, each with its ``.kv`` beside it (loaded when imported)."""
