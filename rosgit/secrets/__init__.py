"""Sealed secrets: SealedSecret stubs and files, kubeseal-compatible encryption, value inputs, `rosgit seal`."""
