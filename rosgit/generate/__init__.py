"""Generation of the Kustomize tree (bases, platform Components, overlays) from the catalog."""
