"""`rosgit promote SRC DST`: move one environment's pins (Git revision, images) to another, editing rosgit.yaml in
place with its comments and layout kept; and the Renovate configuration that proposes image pin updates."""

from rosgit.promote.edit import promote_text

__all__ = ["promote_text"]
