"""Generated files as text, and the all-or-nothing writer that puts a tree of them on disk (no other rosgit imports)."""
