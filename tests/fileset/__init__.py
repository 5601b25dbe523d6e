"""Tests of the crash-safe writer and its journal, lock and manifest."""
