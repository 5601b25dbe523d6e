#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: install rosgit and the pinned tools, lint, type-check, test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check -e '.[dev]'
bash scripts/install-tools.sh
python3 -m ruff check rosgit tests benchmarks
python3 -m mypy
lint-imports --no-cache
python3 -m pytest -n 2 -q "$@"
