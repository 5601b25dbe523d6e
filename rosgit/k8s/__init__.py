"""Kubernetes and Argo CD object conventions shared by the producers and the checkers (no I/O)."""
