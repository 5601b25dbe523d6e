"""What `rosgit init` writes beside a new catalog: the catalog's JSON Schema (for editors), a CI workflow
running `rosgit check` with the pinned tools, and a pre-commit configuration running the fast subset.

Pure: {relative path: text}. The workflow's tool steps come from the pins (tools.txt), so a new repository's CI
runs exactly the kustomize, kubeconform and helm this rosgit was tested against.
"""

from __future__ import annotations

from rosgit import __version__
from rosgit.catalog.json_schema import SCHEMA_FILE, catalog_schema_text
from rosgit.tools import pins

WORKFLOW_FILE = ".github/workflows/rosgit-check.yaml"
PRE_COMMIT_FILE = ".pre-commit-config.yaml"
# the tools `rosgit check` runs: the engine comparison, validation and the Helm proof
CHECK_TOOLS = ("kustomize", "kubeconform", "helm")


def scaffold_files() -> dict[str, str]:
    return {SCHEMA_FILE: catalog_schema_text(), WORKFLOW_FILE: workflow_text(), PRE_COMMIT_FILE: pre_commit_text()}


def workflow_text() -> str:
    installs = "\n".join(
        f"          go install {pins()[name].package}@{pins()[name].version}" for name in CHECK_TOOLS
    )
    return f"""\
# Written by `rosgit init`: every pull request runs the whole rosgit pipeline (`rosgit check`) with the tools
# rosgit {__version__} pins; the JUnit report is uploaded even when the check fails. Yours to edit.
name: rosgit check

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read

jobs:
  check:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # the chart version increment check compares with the merge-base with main
      - name: Restore rosgit's results of earlier runs
        # every entry is named by the exact bytes it was computed from (the files, rosgit, the tools), so a
        # restored one can only spare work: a pull request recomputes the overlays and stages it touched
        uses: actions/cache@v4
        with:
          path: ~/.cache/rosgit
          key: rosgit-${{{{ github.sha }}}}
          restore-keys: rosgit-
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - uses: actions/setup-go@v5
        with:
          go-version: stable
      - name: Install rosgit
        # from the index or Git URL you install rosgit from
        run: pip install "rosgit=={__version__}"
      - name: Install the pinned tools ({", ".join(CHECK_TOOLS)})
        run: |
{installs}
          echo "$(go env GOPATH)/bin" >> "$GITHUB_PATH"
      - name: rosgit check
        # --require-tools: a tool missing here is an error, not the warning a laptop gets
        run: rosgit check --require-tools --output junit > report.xml
      - name: Upload the report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: rosgit-check-report
          path: report.xml
"""


def pre_commit_text() -> str:
    return """\
# Written by `rosgit init`. The hook runs the fast subset of `rosgit check` on the files being committed:
# the drift check (generated tree in step with rosgit.yaml) and build, validate and lint of the overlays those
# files touch. CI runs the whole check.
repos:
  - repo: local
    hooks:
      - id: rosgit-pre-commit
        name: rosgit (drift + changed overlays)
        entry: rosgit pre-commit
        language: system
        pass_filenames: true
        require_serial: true
        files: ^(rosgit\\.yaml|base/|components/|overlays/|argocd/|charts/)
"""
