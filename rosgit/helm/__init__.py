"""The single Helm chart exported from the catalog, and the proof that it renders what the overlays build."""
