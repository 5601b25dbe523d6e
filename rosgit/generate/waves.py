"""Moved to rosgit.k8s.argo; kept only for rosgit.argocd.order until branch arch-order switches it (then delete)."""

from __future__ import annotations

from rosgit.k8s.argo import HOOK, SYNC_WAVE

__all__ = ["HOOK", "SYNC_WAVE"]
