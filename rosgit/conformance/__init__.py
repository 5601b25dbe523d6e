"""The conformance tier: the generated configuration fed to the real programs (docs/conformance.md)."""
