"""The whole repository tree: composes the manifest, Argo CD and Helm producers, and `rosgit generate`."""
