#!/usr/bin/env bash
# Installs the pinned real tools into .tools/bin with `go install MODULE@VERSION`.
# Idempotent: a tool whose binary already carries the pinned module version
# (read from the Go build info with `go version -m`) is not rebuilt.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin"

# name | module path (for go install) | version | main module recorded in build info
pins=(
  "kustomize|sigs.k8s.io/kustomize/kustomize/v5|v5.8.1|sigs.k8s.io/kustomize/kustomize/v5"
  "kubeconform|github.com/yannh/kubeconform/cmd/kubeconform|v0.7.0|github.com/yannh/kubeconform"
  "helm|helm.sh/helm/v4/cmd/helm|v4.2.1|helm.sh/helm/v4"
  "helm3|helm.sh/helm/v3/cmd/helm|v3.18.6|helm.sh/helm/v3"
  "kubeseal|github.com/bitnami-labs/sealed-secrets/cmd/kubeseal|v0.36.6|github.com/bitnami-labs/sealed-secrets"
)

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
