#!/usr/bin/env bash
# Installs the pinned real tools listed in rosgit/tools.txt into .tools/bin with `go install MODULE@VERSION`.
# Idempotent: a tool whose binary already carries the pinned module version
# (read from the Go build info with `go version -m`) is not rebuilt.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin"

# The pins live in one file that rosgit/tools.py reads too:
# name  module path (for go install)  version  main module recorded in build info
pins_file="$root/rosgit/tools.txt"
pins=()
while read -r name module version main_module _; do
  case "$name" in '' | '#'*) continue ;; esac
  pins+=("$name|$module|$version|$main_module")
done <"$pins_file"

if [ "${1:-}" = "--list" ]; then  # print the pins and install nothing (the tests compare them with rosgit's)
  for pin in "${pins[@]}"; do
    IFS='|' read -r name module version main_module <<<"$pin"
    printf '%s %s %s %s\n' "$name" "$module" "$version" "$main_module"
  done
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "install-tools: go is not installed; install Go >= 1.24 first" >&2
  exit 1
fi

installed_version() {
  # prints the main module version recorded in the binary, or nothing
  local binary="$1" module="$2"
  [ -x "$binary" ] || return 0
  go version -m "$binary" 2>/dev/null | awk -v m="$module" '$1 == "mod" && $2 == m {print $3}'
}

for pin in "${pins[@]}"; do
  IFS='|' read -r name module version main_module <<<"$pin"
  target="$bin/$name"
  have="$(installed_version "$target" "$main_module")"
  if [ "$have" = "$version" ]; then
    printf '%-12s %s (already installed)\n' "$name" "$version"
    continue
  fi
  printf '%-12s %s installing...\n' "$name" "$version"
  tmp="$(mktemp -d)"
  if ! GOBIN="$tmp" GOFLAGS=-buildvcs=false go install "$module@$version" >"$tmp/log" 2>&1; then
    cat "$tmp/log" >&2
    echo "install-tools: go install $module@$version failed" >&2
    rm -rf "$tmp"
    exit 1
  fi
  built="$(find "$tmp" -maxdepth 1 -type f -perm -u+x | head -n 1)"
  mv -f "$built" "$target"
  rm -rf "$tmp"
  printf '%-12s %s installed\n' "$name" "$version"
done
