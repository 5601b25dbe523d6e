"""rosgit: one catalog, a generated Kustomize tree, Argo CD delivery and a provably equal Helm chart."""

__version__ = "0.1.0"
