#!/bin/sh
# LinkMesh Managed-mode installer: installs Grafana Alloy and linkmesh-agent on a Linux host,
# enrols the host with a LinkMesh server using an enrollment token, and runs Alloy under the
# agent as alloy.service.
#
#   curl -fsSL <server>/api/v1/downloads/install.sh | sudo sh -s -- --token <TOKEN>
#
# The LinkMesh server serves this file from a template and substitutes its external URL into
# LINKMESH_SERVER_URL below; nothing else is substituted. Run `sh install.sh --help` for the
# options, the mirror layout for air-gapped hosts, and what the script writes.
#
# Re-running it is safe: an installed Alloy is kept, the agent is refreshed, enrolment is skipped
# while /etc/linkmesh-agent/config.yaml exists (unless --reenroll), and the service is restarted.
set -eu

# --- Pinned defaults -----------------------------------------------------------------------------
# Alloy comes from Grafana's package repositories (their current release); the pinned version is
# only used with --mirror, where the release zip is taken instead.
DEFAULT_ALLOY_VERSION=1.18.1
# linkmesh-agent needs Node.js >= 20.19; this official build is installed when the host has none.
NODE_VERSION=20.20.2
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19
LINKMESH_SERVER_URL='__LINKMESH_SERVER_URL__'

APT_KEY_URL=https://apt.grafana.com/gpg.key
APT_REPO_URL=https://apt.grafana.com
RPM_REPO_URL=https://rpm.grafana.com
ALLOY_RELEASES_URL=https://github.com/grafana/alloy/releases/download
ALLOY_CHECKSUMS=SHA256SUMS
NODE_DIST_URL=https://nodejs.org/dist
NODE_CHECKSUMS=SHASUMS256.txt

APT_KEYRING=/etc/apt/keyrings/grafana.gpg
APT_LIST=/etc/apt/sources.list.d/grafana.list
YUM_REPO=/etc/yum.repos.d/grafana.repo
DEFAULT_ALLOY_BIN=/usr/bin/alloy
ALLOY_CONFIG_DIR=/etc/alloy
ALLOY_CONFIG=$ALLOY_CONFIG_DIR/config.alloy
ALLOY_STATE_DIR=/var/lib/alloy
ALLOY_DATA_DIR=$ALLOY_STATE_DIR/data
AGENT_DIR=/opt/linkmesh-agent
AGENT_SCRIPT=$AGENT_DIR/linkmesh-agent.mjs
NODE_DIR=$AGENT_DIR/node
AGENT_WRAPPER=/usr/local/bin/linkmesh-agent
AGENT_CONFIG_DIR=/etc/linkmesh-agent
AGENT_CONFIG=$AGENT_CONFIG_DIR/config.yaml
AGENT_STATE_DIR=/var/lib/linkmesh-agent
UNIT_NAME=alloy.service
UNIT_FILE=/etc/systemd/system/$UNIT_NAME
SERVICE_USER=alloy

umask 022

say() { printf 'install: %s\n' "$*"; }
warn() { printf 'install: warning: %s\n' "$*" >&2; }
die() {
  printf 'install: error: %s\n' "$*" >&2
  exit 1
}

# Shared helpers (URL and version checks, download, checksum, install), inlined by the
# server when it serves this script:
# @include installer-lib.sh

usage() {
  cat <<EOF
Usage: curl -fsSL <server>/api/v1/downloads/install.sh | sudo sh -s -- --token TOKEN [options]

Installs Grafana Alloy and linkmesh-agent, enrols this host with LinkMesh (Managed mode) and
starts $UNIT_NAME, in which linkmesh-agent runs Alloy. Linux on amd64 (x86_64) or arm64
(aarch64) with systemd; run as root.

Options:
  --token TOKEN          Enrollment token (lmet_...); or set LINKMESH_TOKEN (with sudo -E).
                         Single use, expires after 15 minutes by default. Not needed on a re-run
                         once the host is enrolled ($AGENT_CONFIG exists).
  --server URL           LinkMesh server URL (http:// or https://).
                         Default: ${LINKMESH_SERVER_URL}
  --hostname NAME        Name the collector gets in LinkMesh (default: the agent's choice, the
                         host name).
  --reenroll             Enrol again even though $AGENT_CONFIG exists (needs a new token).
  --skip-alloy           Never install or change Alloy; use the alloy found on PATH.
  --alloy-version V      Alloy version taken from --mirror (default $DEFAULT_ALLOY_VERSION; env ALLOY_VERSION).
  --node PATH            Node.js (>= $NODE_MIN_MAJOR.$NODE_MIN_MINOR) to run the agent with (env LINKMESH_NODE).
                         Default: node on PATH when new enough, else Node.js $NODE_VERSION installed
                         into $NODE_DIR.
  --mirror URL|DIR       Air-gapped hosts: take Alloy and Node.js from an http(s) mirror or a local
                         directory (layout below) instead of the package repositories and nodejs.org.
  --skip-checksum        Do not verify SHA-256 checksums of the downloads (not recommended).
  --dry-run              Download, install, enrol and start nothing. Print what would be done and
                         write the files under --root (default: a new temporary directory).
  --root DIR             With --dry-run only: prefix for every path written.
  -h, --help             Show this help.

Where things come from:
  Alloy, Debian/Ubuntu:  $APT_REPO_URL (key $APT_KEY_URL), apt-get install alloy
  Alloy, RHEL/Fedora:    $RPM_REPO_URL (key $RPM_REPO_URL/gpg.key), dnf (or yum) install alloy
  Node.js:               $NODE_DIST_URL/v$NODE_VERSION/node-v$NODE_VERSION-linux-<x64|arm64>.tar.xz
                         verified against $NODE_DIST_URL/v$NODE_VERSION/$NODE_CHECKSUMS
  linkmesh-agent:        <server>/api/v1/downloads/linkmesh-agent.mjs

Mirror layout (--mirror M; upstream release assets, unchanged):
  M/alloy/v<V>/alloy-linux-<amd64|arm64>.zip   (from $ALLOY_RELEASES_URL/v<V>/)
  M/alloy/v<V>/$ALLOY_CHECKSUMS
  M/node/v$NODE_VERSION/node-v$NODE_VERSION-linux-<x64|arm64>.tar.xz
  M/node/v$NODE_VERSION/$NODE_CHECKSUMS

Writes:
  $DEFAULT_ALLOY_BIN (from the alloy package, or from the mirror), the system user '$SERVICE_USER'
  $AGENT_SCRIPT, $AGENT_WRAPPER, $NODE_DIR/ (when installed)
  $AGENT_CONFIG and $ALLOY_CONFIG (written by 'linkmesh-agent enroll'; owned by $SERVICE_USER, mode 0600)
  $UNIT_FILE (replaces the alloy package's unit: ExecStart runs linkmesh-agent)
  $ALLOY_DATA_DIR/, $AGENT_STATE_DIR/ (owned by $SERVICE_USER)

Follow the logs with: journalctl -u alloy -f
EOF
}

# Everything below runs inside main(), called on the last line: sh parses a whole function before
# running it, so a download cut short by the network (curl ... | sh) runs nothing at all.
main() {
# --- Arguments -----------------------------------------------------------------------------------
token=${LINKMESH_TOKEN:-}
server=$LINKMESH_SERVER_URL
server_given=0
hostname_arg=
alloy_version=${ALLOY_VERSION:-$DEFAULT_ALLOY_VERSION}
node_arg=${LINKMESH_NODE:-}
mirror=
dry_run=0
root=
root_given=0
skip_checksum=0
skip_alloy=0
reenroll=0

while [ $# -gt 0 ]; do
  opt=$1
  inline=0
  case $opt in
    --*=*)
      value=${opt#*=}
      opt=${opt%%=*}
      inline=1
      ;;
  esac
  case $opt in
    --token | --server | --hostname | --alloy-version | --node | --mirror | --root)
      if [ "$inline" = 0 ]; then
        case ${2-} in
          '' | --*) die "$opt needs a value" ;;
        esac
        value=$2
        shift
      fi
      case $opt in
        --token) token=$value ;;
        --server)
          server=$value
          server_given=1
          ;;
        --hostname) hostname_arg=$value ;;
        --alloy-version) alloy_version=$value ;;
        --node) node_arg=$value ;;
        --mirror) mirror=$value ;;
        --root)
          root=$value
          root_given=1
          ;;
      esac
      ;;
    --dry-run | --skip-checksum | --skip-alloy | --reenroll | -h | --help)
      [ "$inline" = 0 ] || die "$opt does not take a value"
      case $opt in
        --dry-run) dry_run=1 ;;
        --skip-checksum) skip_checksum=1 ;;
        --skip-alloy) skip_alloy=1 ;;
        --reenroll) reenroll=1 ;;
        *)
          usage
          exit 0
          ;;
      esac
      ;;
    *) die "unknown option '$opt' (see --help)" ;;
  esac
  shift
done

# --- Validation (everything is checked before anything is written) -------------------------------
# The token goes on the agent's command line and into an HTTP body: allow only URL-safe characters.
if [ -n "$token" ]; then
  case $token in
    *[!A-Za-z0-9._~-]*) die "the token contains characters a LinkMesh token never has; copy it again from LinkMesh" ;;
  esac
  [ "${#token}" -ge 16 ] || die "the token is too short to be a LinkMesh enrollment token; copy it again from LinkMesh"
fi
# Keeps the first 9 characters: enough to tell tokens apart, useless to anyone reading the output.
token_hint=$(printf '%.9s' "$token")…

if [ "$server_given" = 0 ] && ! valid_url "$server"; then
  die "no server URL: this copy of the script was not downloaded from a LinkMesh server; pass --server URL"
fi
valid_url "$server" || die "--server must be an http:// or https:// URL such as https://fleet.example.com (got '$server')"
while :; do
  case $server in
    */) server=${server%/} ;;
    *) break ;;
  esac
done
agent_url=$server/api/v1/downloads/linkmesh-agent.mjs

if [ -n "$hostname_arg" ]; then
  case $hostname_arg in
    *[!A-Za-z0-9.-]* | -* | .*) die "--hostname may hold letters, digits, '-' and '.' only (got '$hostname_arg')" ;;
  esac
  [ "${#hostname_arg}" -le 253 ] || die "--hostname is longer than 253 characters"
fi

alloy_version=$(normalize_version "$alloy_version") || die "--alloy-version must look like $DEFAULT_ALLOY_VERSION"

if [ -n "$mirror" ]; then
  case $mirror in
    /*)
      case $mirror in
        *[!A-Za-z0-9._/-]*) die "--mirror directory has unexpected characters (got '$mirror')" ;;
      esac
      ;;
    *) valid_url "$mirror" || die "--mirror must be an http(s):// URL or an absolute directory (got '$mirror')" ;;
  esac
  while :; do
    case $mirror in
      ?*/) mirror=${mirror%/} ;;
      *) break ;;
    esac
  done
fi

# The node path is written into the wrapper script, so it is held to plain path characters.
if [ -n "$node_arg" ]; then
  case $node_arg in
    /*) ;;
    *) die "--node must be an absolute path to a node executable (got '$node_arg')" ;;
  esac
  case $node_arg in
    *[!A-Za-z0-9._/+-]*) die "--node path has unexpected characters (got '$node_arg')" ;;
  esac
fi

if [ "$root_given" = 1 ]; then
  [ "$dry_run" = 1 ] || die "--root is only allowed with --dry-run (a real install always writes to /)"
  [ -n "$root" ] || die "--root needs a directory"
fi

os=$(uname -s)
[ "$os" = Linux ] || die "unsupported operating system '$os': only Linux (amd64, arm64) is supported"
machine=$(uname -m)
case $machine in
  x86_64 | amd64)
    alloy_arch=amd64
    node_arch=x64
    ;;
  aarch64 | arm64 | armv8*)
    alloy_arch=arm64
    node_arch=arm64
    ;;
  *) die "unsupported architecture '$machine': only amd64 (x86_64) and arm64 (aarch64) are supported" ;;
esac

# Every path written goes through p(): "$prefix" is empty for a real install.
prefix=
if [ "$dry_run" = 1 ]; then
  if [ "$root_given" = 0 ]; then
    root=$(mktemp -d "${TMPDIR:-/tmp}/install-dry-run.XXXXXX") || die "cannot create a temporary directory"
  fi
  case $root in
    /*) ;;
    *) root=$(pwd)/$root ;;
  esac
  mkdir -p "$root" || die "cannot create --root directory '$root'"
  prefix=$(cd "$root" && pwd -P) || die "cannot enter --root directory '$root'"
  [ "$prefix" = / ] && prefix=
fi

# --- Plan: what this run does (decided before anything is changed) -------------------------------
# Enrolment: a spent token is never needed again once the agent's config exists.
enroll=1
if [ -f "$(p "$AGENT_CONFIG")" ] && [ "$reenroll" = 0 ]; then
  enroll=0
elif [ -z "$token" ]; then
  die "an enrollment token is required: pass --token TOKEN (or set LINKMESH_TOKEN and use sudo -E). Mint one in LinkMesh: Collectors > Add Collector > Managed."
fi

# Alloy: keep what is installed; otherwise the mirror, else the distribution's package manager.
alloy_bin=$(command -v alloy 2>/dev/null) || alloy_bin=
if [ "$skip_alloy" = 1 ]; then
  alloy_source=skip
  if [ -z "$alloy_bin" ]; then
    alloy_bin=$DEFAULT_ALLOY_BIN
    warn "--skip-alloy: no alloy on PATH; the agent will run $alloy_bin, which must exist before the service starts"
  fi
elif [ -n "$alloy_bin" ]; then
  alloy_source=installed
elif [ -n "$mirror" ]; then
  alloy_source=mirror
elif command -v apt-get >/dev/null 2>&1; then
  alloy_source=apt
elif command -v dnf >/dev/null 2>&1; then
  alloy_source=dnf
elif command -v yum >/dev/null 2>&1; then
  alloy_source=yum
else
  die "cannot install Grafana Alloy: this host has no apt-get, dnf or yum. Use --mirror URL|DIR, or install Alloy yourself and re-run"
fi
[ -n "$alloy_bin" ] || alloy_bin=$DEFAULT_ALLOY_BIN
case $alloy_bin in
  /*) ;;
  *) die "alloy was found as '$alloy_bin', which is not an absolute path; pass --skip-alloy after fixing PATH" ;;
esac

# Node.js: --node, else a recent enough node on PATH, else the pinned build (kept across re-runs).
node_is_recent() { # node_is_recent PATH: true for Node.js >= NODE_MIN_MAJOR.NODE_MIN_MINOR
  nv=$("$1" --version 2>/dev/null) || return 1
  nv=${nv#v}
  case $nv in
    [0-9]*.[0-9]*.[0-9]*) ;;
    *) return 1 ;;
  esac
  nmajor=${nv%%.*}
  nrest=${nv#*.}
  nminor=${nrest%%.*}
  case $nmajor$nminor in
    *[!0-9]*) return 1 ;;
  esac
  [ "$nmajor" -gt "$NODE_MIN_MAJOR" ] || { [ "$nmajor" -eq "$NODE_MIN_MAJOR" ] && [ "$nminor" -ge "$NODE_MIN_MINOR" ]; }
}
node_asset=node-v$NODE_VERSION-linux-$node_arch.tar.xz
path_node=$(command -v node 2>/dev/null) || path_node=
if [ -n "$node_arg" ]; then
  [ -x "$node_arg" ] || die "--node $node_arg is not an executable file"
  node_is_recent "$node_arg" || die "--node $node_arg is not Node.js $NODE_MIN_MAJOR.$NODE_MIN_MINOR or newer"
  node_bin=$node_arg
  node_source=given
elif [ -n "$path_node" ] && node_is_recent "$path_node"; then
  node_bin=$path_node
  node_source=path
elif [ -x "$(p "$NODE_DIR/bin/node")" ] && [ "$("$(p "$NODE_DIR/bin/node")" --version 2>/dev/null)" = "v$NODE_VERSION" ]; then
  node_bin=$NODE_DIR/bin/node
  node_source=installed
else
  node_bin=$NODE_DIR/bin/node
  node_source=download
fi

if [ -n "$mirror" ]; then
  alloy_base=$mirror/alloy/v$alloy_version
  node_base=$mirror/node/v$NODE_VERSION
else
  alloy_base=$ALLOY_RELEASES_URL/v$alloy_version
  node_base=$NODE_DIST_URL/v$NODE_VERSION
fi
alloy_asset=alloy-linux-$alloy_arch.zip

# --- Preflight (real install only) ----------------------------------------------------------------
need() { # need COMMAND WHY
  command -v "$1" >/dev/null 2>&1 || die "'$1' is required $2; install it and re-run"
}
downloader=
if [ "$dry_run" = 0 ]; then
  [ "$(id -u)" = 0 ] || die "must run as root: curl -fsSL <server>/api/v1/downloads/install.sh | sudo sh -s -- --token TOKEN (or preview with --dry-run)"
  # The agent always comes from the server, so a downloader is always needed.
  if command -v curl >/dev/null 2>&1; then
    downloader=curl
  elif command -v wget >/dev/null 2>&1; then
    downloader=wget
  else
    die "curl or wget is required to download linkmesh-agent; install one of them and re-run"
  fi
  need mktemp ''
  [ "$alloy_source" != mirror ] || need unzip "to unpack Alloy from the mirror"
  if [ "$node_source" = download ]; then
    need tar "to unpack Node.js"
    need xz "to unpack Node.js (package xz-utils or xz)"
  fi
  if [ "$skip_checksum" = 0 ] && { [ "$alloy_source" = mirror ] || [ "$node_source" = download ]; }; then
    need sha256sum "to verify the downloads (or pass --skip-checksum)"
  fi
  if ! command -v systemctl >/dev/null 2>&1 || [ ! -d /run/systemd/system ]; then
    die "systemd is required: $UNIT_NAME is a systemd unit and this host does not run systemd"
  fi
  if ! id -u "$SERVICE_USER" >/dev/null 2>&1 && [ "$alloy_source" != apt ] && [ "$alloy_source" != dnf ] && [ "$alloy_source" != yum ]; then
    need useradd "to create the '$SERVICE_USER' system user"
  fi
fi

if [ "$dry_run" = 1 ]; then
  say "dry run: nothing is downloaded, installed, enrolled or started; files are written under ${prefix:-/}"
fi
if [ "$enroll" = 1 ]; then
  say "server $server, token $token_hint"
else
  say "server $server; already enrolled ($AGENT_CONFIG exists): enrolment is skipped (--reenroll to enrol again)"
fi
case $alloy_source in
  skip) say "Alloy: left alone (--skip-alloy); the agent runs $alloy_bin" ;;
  installed) say "Alloy: already installed at $alloy_bin; kept" ;;
  mirror) say "Alloy: $alloy_version for linux/$alloy_arch from the mirror" ;;
  *) say "Alloy: from Grafana's package repository with $alloy_source" ;;
esac
case $node_source in
  given) say "Node.js: $node_bin (--node)" ;;
  path) say "Node.js: $node_bin ($("$node_bin" --version 2>/dev/null))" ;;
  installed) say "Node.js: $node_bin (v$NODE_VERSION, installed earlier)" ;;
  download) say "Node.js: none new enough on PATH; v$NODE_VERSION will be installed into $NODE_DIR" ;;
esac

# --- Download and verify (before anything is changed) ---------------------------------------------
work=
written_tmp=
# Turn signals into an exit so the EXIT trap removes the downloads and any half-written file.
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

if [ "$dry_run" = 0 ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/install.XXXXXX") || die "cannot create a temporary directory"
fi
[ "$alloy_source" != mirror ] || get_artifact "$alloy_base" "$alloy_asset" "$ALLOY_CHECKSUMS"
[ "$node_source" != download ] || get_artifact "$node_base" "$node_asset" "$NODE_CHECKSUMS"
if [ "$dry_run" = 1 ]; then
  say "[dry-run] would download $agent_url"
else
  say "downloading $agent_url"
  fetch "$agent_url" "$work/linkmesh-agent.mjs"
  first_line=
  { IFS= read -r first_line || true; } <"$work/linkmesh-agent.mjs"
  [ "$first_line" = '#!/usr/bin/env node' ] ||
    die "$agent_url is not the linkmesh-agent script; is --server a LinkMesh server?"
fi
if [ "$dry_run" = 0 ] && [ "$alloy_source" = mirror ]; then
  mkdir "$work/alloy"
  unzip -q -o "$work/$alloy_asset" "alloy-linux-$alloy_arch" -d "$work/alloy" || die "cannot unpack alloy-linux-$alloy_arch from $alloy_asset"
fi
if [ "$dry_run" = 0 ] && [ "$node_source" = download ]; then
  mkdir "$work/node"
  # -o: files owned by root, not by the uid recorded in the tarball.
  tar -xoJf "$work/$node_asset" -C "$work/node" || die "cannot unpack $node_asset"
  [ -x "$work/node/node-v$NODE_VERSION-linux-$node_arch/bin/node" ] || die "$node_asset has no bin/node"
fi

# --- Files ---------------------------------------------------------------------------------------
# write_file DEST MODE RENDER_FUNCTION: atomic replace through a temporary file in the same
# directory (mktemp creates it 0600, so nothing is readable by others before the chmod).
write_file() {
  mkdir -p "$(dirname "$1")"
  tmp=$(mktemp "$(dirname "$1")/.install.XXXXXX") || die "cannot write in $(dirname "$1")"
  written_tmp=$tmp
  "$3" >"$tmp"
  chmod "$2" "$tmp"
  mv -f "$tmp" "$1"
  written_tmp=
  say "wrote $1"
}

render_apt_list() {
  printf '%s\n' \
    '# Written by the LinkMesh installer (install.sh): Grafana package repository, for Alloy.' \
    "deb [signed-by=$APT_KEYRING] $APT_REPO_URL stable main"
}

render_yum_repo() {
  printf '%s\n' \
    '# Written by the LinkMesh installer (install.sh): Grafana package repository, for Alloy.' \
    '[grafana]' \
    'name=grafana' \
    "baseurl=$RPM_REPO_URL" \
    'repo_gpgcheck=1' \
    'enabled=1' \
    'gpgcheck=1' \
    "gpgkey=$RPM_REPO_URL/gpg.key" \
    'sslverify=1' \
    'sslcacert=/etc/pki/tls/certs/ca-bundle.crt'
}

render_wrapper() {
  printf '%s\n' \
    '#!/bin/sh' \
    '# Written by the LinkMesh installer (install.sh); re-running it rewrites this file.' \
    "exec $node_bin $AGENT_SCRIPT \"\$@\""
}

# Type=simple: the agent does not speak sd_notify. KillMode=mixed: SIGTERM reaches the agent alone,
# which stops Alloy (its child) cleanly; whatever is left after TimeoutStopSec gets SIGKILL.
render_unit() {
  cat <<EOF
# Written by the LinkMesh installer (install.sh); re-running it rewrites this file.
# It replaces the unit of the alloy package: linkmesh-agent runs Alloy as its child, so Alloy's
# output stays in this unit's journal (journalctl -u alloy). Local changes: systemctl edit $UNIT_NAME
[Unit]
Description=Grafana Alloy, run by linkmesh-agent (LinkMesh Managed mode)
Documentation=https://grafana.com/docs/alloy
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=$SERVICE_USER
Group=$SERVICE_USER
WorkingDirectory=$ALLOY_STATE_DIR
Environment=HOSTNAME=%H
ExecStart=$AGENT_WRAPPER run --config $AGENT_CONFIG
Restart=always
RestartSec=5s
KillMode=mixed
TimeoutStopSec=45s
NoNewPrivileges=true

[Install]
WantedBy=multi-user.target
EOF
}

# run CMD...: runs a command on the host, or in a dry run only says it would.
run() {
  if [ "$dry_run" = 1 ]; then
    say "[dry-run] would run: $*"
  else
    "$@"
  fi
}

# --- Alloy ---------------------------------------------------------------------------------------
install_alloy_apt() {
  if [ "$dry_run" = 1 ]; then
    say "[dry-run] would download $APT_KEY_URL and write it (gpg --dearmor) to $APT_KEYRING"
  else
    if ! command -v gpg >/dev/null 2>&1; then
      say "installing gnupg (needed to add Grafana's signing key)"
      apt-get update -q || die "apt-get update failed"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnupg || die "cannot install gnupg"
    fi
    fetch "$APT_KEY_URL" "$work/grafana.key"
    gpg --dearmor <"$work/grafana.key" >"$work/grafana.gpg" || die "cannot read Grafana's signing key ($APT_KEY_URL)"
    mkdir -p "$(dirname "$APT_KEYRING")"
    chmod 0644 "$work/grafana.gpg"
    mv -f "$work/grafana.gpg" "$APT_KEYRING"
    say "wrote $APT_KEYRING"
  fi
  write_file "$(p "$APT_LIST")" 0644 render_apt_list
  run apt-get update -q || die "apt-get update failed"
  if [ "$dry_run" = 1 ]; then
    say "[dry-run] would run: apt-get install -y alloy"
  else
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q alloy || die "apt-get install alloy failed"
  fi
}

install_alloy_rpm() { # install_alloy_rpm dnf|yum; the package manager imports the key (gpgkey=) itself
  write_file "$(p "$YUM_REPO")" 0644 render_yum_repo
  run "$1" install -y alloy || die "$1 install alloy failed"
}

case $alloy_source in
  apt) install_alloy_apt ;;
  dnf | yum) install_alloy_rpm "$alloy_source" ;;
  mirror)
    if [ "$dry_run" = 1 ]; then
      say "[dry-run] would install alloy-linux-$alloy_arch from $alloy_asset as $alloy_bin (mode 0755)"
    else
      install_binary "$work/alloy/alloy-linux-$alloy_arch" "$alloy_bin"
    fi
    ;;
  skip | installed) ;;
esac
if [ "$dry_run" = 0 ] && [ "$alloy_source" != skip ]; then
  [ -x "$alloy_bin" ] || die "Alloy is not at $alloy_bin after installing it"
  "$alloy_bin" --version >/dev/null 2>&1 || warn "$alloy_bin --version failed; is this the right architecture?"
fi

# The package creates the user; a mirror install (or --skip-alloy) may not have one yet.
if [ "$dry_run" = 1 ]; then
  say "[dry-run] would create the system user '$SERVICE_USER' if it is missing (useradd --system --user-group)"
elif ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
  need useradd "to create the '$SERVICE_USER' system user"
  nologin=/usr/sbin/nologin
  [ -x "$nologin" ] || nologin=/sbin/nologin
  [ -x "$nologin" ] || nologin=/bin/false
  useradd --system --user-group --no-create-home --home-dir "$ALLOY_STATE_DIR" --shell "$nologin" "$SERVICE_USER" ||
    die "cannot create the system user '$SERVICE_USER'"
  say "created the system user '$SERVICE_USER'"
fi

# Alloy's state (WorkingDirectory, --storage.path) and the agent's state belong to the service user.
mkdir -p "$(p "$ALLOY_DATA_DIR")" "$(p "$AGENT_STATE_DIR")"
chmod 0750 "$(p "$ALLOY_STATE_DIR")" "$(p "$ALLOY_DATA_DIR")"
chmod 0700 "$(p "$AGENT_STATE_DIR")"
run chown "$SERVICE_USER:$SERVICE_USER" "$ALLOY_STATE_DIR" "$ALLOY_DATA_DIR"

# --- linkmesh-agent and Node.js ------------------------------------------------------------------
mkdir -p "$(p "$AGENT_DIR")"
if [ "$node_source" = download ]; then
  if [ "$dry_run" = 1 ]; then
    say "[dry-run] would unpack $node_asset into $NODE_DIR"
  else
    # Swap whole directories so a half-copied Node.js is never the one in use.
    rm -rf "$NODE_DIR.new" "$NODE_DIR.old"
    mv "$work/node/node-v$NODE_VERSION-linux-$node_arch" "$NODE_DIR.new"
    [ ! -e "$NODE_DIR" ] || mv "$NODE_DIR" "$NODE_DIR.old"
    mv "$NODE_DIR.new" "$NODE_DIR"
    rm -rf "$NODE_DIR.old"
    say "installed Node.js v$NODE_VERSION into $NODE_DIR"
  fi
fi
if [ "$dry_run" = 1 ]; then
  say "[dry-run] would install the downloaded linkmesh-agent.mjs as $AGENT_SCRIPT"
else
  cp "$work/linkmesh-agent.mjs" "$AGENT_SCRIPT.new"
  chmod 0644 "$AGENT_SCRIPT.new"
  mv -f "$AGENT_SCRIPT.new" "$AGENT_SCRIPT"
  say "installed $AGENT_SCRIPT"
fi
write_file "$(p "$AGENT_WRAPPER")" 0755 render_wrapper
if [ "$dry_run" = 0 ]; then
  "$AGENT_WRAPPER" --help >/dev/null 2>&1 || die "$AGENT_WRAPPER --help failed: the agent does not run with $node_bin"
fi

# --- Enrolment -----------------------------------------------------------------------------------
# /etc/alloy is group-writable for the service user (as the alloy package leaves it) because the
# agent replaces config.alloy atomically (write + rename) when its bearer rotates.
mkdir -p "$(p "$AGENT_CONFIG_DIR")" "$(p "$ALLOY_CONFIG_DIR")"
chmod 0700 "$(p "$AGENT_CONFIG_DIR")"
chmod 0770 "$(p "$ALLOY_CONFIG_DIR")"
if [ "$enroll" = 1 ]; then
  set -- enroll --server "$server" --token "$token" --config "$AGENT_CONFIG" --alloy-config "$ALLOY_CONFIG" \
    --collector-binary "$alloy_bin"
  [ -z "$hostname_arg" ] || set -- "$@" --hostname "$hostname_arg"
  # --force: this run has decided to (re-)enrol, so files from an earlier enrolment or from the
  # alloy package (its sample config.alloy) are replaced.
  set -- "$@" --force
  shown=$AGENT_WRAPPER
  for arg in "$@"; do
    [ "$arg" != "$token" ] || arg=$token_hint
    shown="$shown $arg"
  done
  if [ "$dry_run" = 1 ]; then
    say "[dry-run] would run: $shown"
  else
    say "enrolling: $shown"
    "$AGENT_WRAPPER" "$@" || die "enrolment failed (see above). An expired or already used token is refused: mint a new one and re-run"
    [ -f "$AGENT_CONFIG" ] || die "linkmesh-agent enroll did not write $AGENT_CONFIG"
    [ -f "$ALLOY_CONFIG" ] || die "linkmesh-agent enroll did not write $ALLOY_CONFIG"
  fi
fi
# The service runs as the service user and rewrites these files itself: it owns them, nobody else reads them.
run chown -R "$SERVICE_USER:$SERVICE_USER" "$AGENT_CONFIG_DIR" "$AGENT_STATE_DIR"
run chown "root:$SERVICE_USER" "$ALLOY_CONFIG_DIR"
if [ "$dry_run" = 0 ]; then
  for file in "$AGENT_CONFIG" "$ALLOY_CONFIG"; do
    [ -f "$file" ] || die "$file is missing: enrol again with --reenroll --token TOKEN"
  done
  chmod 0600 "$AGENT_CONFIG" "$ALLOY_CONFIG"
  chown "$SERVICE_USER:$SERVICE_USER" "$ALLOY_CONFIG"
else
  say "[dry-run] would run: chmod 0600 $AGENT_CONFIG $ALLOY_CONFIG && chown $SERVICE_USER:$SERVICE_USER $ALLOY_CONFIG"
fi

# --- Service -------------------------------------------------------------------------------------
write_file "$(p "$UNIT_FILE")" 0644 render_unit
# restart (not just enable --now) so that a re-run also picks up a new agent or configuration.
if [ "$dry_run" = 1 ]; then
  say "[dry-run] would run: systemctl daemon-reload && systemctl enable $UNIT_NAME && systemctl restart $UNIT_NAME"
else
  systemctl daemon-reload
  systemctl enable "$UNIT_NAME" >/dev/null 2>&1 || die "systemctl enable $UNIT_NAME failed"
  systemctl restart "$UNIT_NAME" || die "$UNIT_NAME did not start; see: journalctl -u alloy -e"
  say "started $UNIT_NAME"
fi

# --- Summary ------------------------------------------------------------------------------------
if [ "$dry_run" = 1 ]; then
  heading="dry run complete (nothing downloaded, installed, enrolled or started); files written under ${prefix:-/}:"
else
  heading="installed. Files:"
fi
cat <<EOF

LinkMesh Managed mode: $heading
  $(p "$UNIT_FILE")  (runs: $AGENT_WRAPPER run --config $AGENT_CONFIG)
  $(p "$AGENT_WRAPPER")  (runs $AGENT_SCRIPT with $node_bin)

  Configuration:     $AGENT_CONFIG and $ALLOY_CONFIG (written by 'linkmesh-agent enroll', mode 0600)
  Alloy:             $alloy_bin
  Follow the logs:   journalctl -u alloy -f
  Agent status:      sudo -u $SERVICE_USER $AGENT_WRAPPER status

The collector appears in LinkMesh (Collectors, mode Managed) within about a minute. If it does not,
check the logs: an expired or already used enrollment token is refused; mint a new one and re-run
with --reenroll.
EOF
}

main "$@"
