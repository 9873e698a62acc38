#!/bin/sh
# LinkMesh OpAMP installer: installs otelcol-contrib and the upstream OpAMP supervisor on a Linux
# host, points the supervisor at a LinkMesh server with an enrollment token, and starts it as
# otelcol-contrib.service (the supervisor runs the collector, so the unit carries its name).
#
#   curl -fsSL <server>/api/v1/downloads/install-opamp.sh | sudo sh -s -- --token <TOKEN>
#
# The LinkMesh server serves this file from a template and substitutes its external URL into
# LINKMESH_SERVER_URL below; nothing else is substituted. Run `sh install-opamp.sh --help` for
# the options, the mirror layout for air-gapped hosts, and what the script writes.
#
# Re-running it with the same arguments rewrites the same files and restarts the service. The
# supervisor's storage directory (its instance id, last remote config) is never deleted; the one of
# an install by an earlier version of this script is moved to the current place.
set -eu

# --- Pinned defaults (override with --otelcol-version / --supervisor-version or the env vars) ---
DEFAULT_OTELCOL_VERSION=0.135.0
DEFAULT_SUPERVISOR_VERSION=0.135.0
LINKMESH_SERVER_URL='__LINKMESH_SERVER_URL__'

RELEASES_URL=https://github.com/open-telemetry/opentelemetry-collector-releases/releases/download
OTELCOL_CHECKSUMS=opentelemetry-collector-releases_otelcol-contrib_checksums.txt
SUPERVISOR_CHECKSUMS=checksums.txt

OTELCOL_BIN=/usr/local/bin/otelcol-contrib
SUPERVISOR_BIN=/usr/local/bin/opampsupervisor
CONFIG_DIR=/etc/otelcol-supervisor
CONFIG_FILE=$CONFIG_DIR/supervisor.yaml
# Unit and storage carry the collector's name, as LinkMesh's troubleshooting pages expect:
# `journalctl -u otelcol-contrib` shows the supervisor's and the collector's logs, and
# `find /var/lib/otelcol-contrib -name 'effective_config*'` finds the config the collector runs.
STORAGE_DIR=/var/lib/otelcol-contrib
EFFECTIVE_CONFIG_LINK=$STORAGE_DIR/effective_config.yaml
UNIT_NAME=otelcol-contrib.service
UNIT_FILE=/etc/systemd/system/$UNIT_NAME
SERVICE_USER=otelcol
# What earlier versions of this script installed; a re-run migrates it ("Migrate an earlier
# install" below). The old unit name stays an alias of the new unit.
LEGACY_UNIT_NAME=opamp-supervisor.service
LEGACY_UNIT_FILE=/etc/systemd/system/$LEGACY_UNIT_NAME
LEGACY_STATE_DIR=/var/lib/otelcol
LEGACY_STORAGE_DIR=$LEGACY_STATE_DIR/supervisor
# The first line of every unit this script writes (how an earlier install's unit is recognised).
UNIT_MARKER='# Written by the LinkMesh OpAMP installer (install-opamp.sh)'

umask 022

say() { printf 'install-opamp: %s\n' "$*"; }
warn() { printf 'install-opamp: warning: %s\n' "$*" >&2; }
die() {
  printf 'install-opamp: error: %s\n' "$*" >&2
  exit 1
}

# Shared helpers (URL and version checks, download, checksum, install), inlined by the
# server when it serves this script:
# @include installer-lib.sh

usage() {
  cat <<EOF
Usage: curl -fsSL <server>/api/v1/downloads/install-opamp.sh | sudo sh -s -- --token TOKEN [options]

Installs otelcol-contrib and the OpenTelemetry OpAMP supervisor, enrols this host with LinkMesh
and starts the supervisor, which runs the collector, as $UNIT_NAME
(alias $LEGACY_UNIT_NAME). Linux on amd64 (x86_64) or arm64 (aarch64) with systemd; run as root.

Options:
  --token TOKEN             Enrollment token (lmet_...). Required; or set LINKMESH_TOKEN
                            (with sudo -E). Single use, expires after 15 minutes by default.
  --server URL              LinkMesh server URL (http:// or https://).
                            Default: ${LINKMESH_SERVER_URL}
  --otelcol-version V       otelcol-contrib version (default $DEFAULT_OTELCOL_VERSION; env OTELCOL_VERSION).
  --supervisor-version V    opampsupervisor version (default $DEFAULT_SUPERVISOR_VERSION; env SUPERVISOR_VERSION).
  --mirror URL|DIR          Air-gapped hosts: take both artifacts and their checksum files from
                            an http(s) mirror or a local directory instead of GitHub (layout below).
  --skip-checksum           Do not verify SHA-256 checksums of the downloads (not recommended).
  --dry-run                 Download, install and start nothing. Print what would be done and
                            write the configuration files under --root (default: a new
                            temporary directory) so they can be inspected.
  --root DIR                With --dry-run only: prefix for every path written (and for the
                            earlier install it looks for, see below).
  -h, --help                Show this help.

Upstream artifacts (https://github.com/open-telemetry/opentelemetry-collector-releases):
  releases/download/v<V>/otelcol-contrib_<V>_linux_<arch>.tar.gz
  releases/download/v<V>/$OTELCOL_CHECKSUMS
  releases/download/cmd%2Fopampsupervisor%2Fv<V>/opampsupervisor_<V>_linux_<arch>
  releases/download/cmd%2Fopampsupervisor%2Fv<V>/$SUPERVISOR_CHECKSUMS

Mirror layout (--mirror M; the upstream release assets, unchanged, one directory per version):
  M/otelcol-contrib/<V>/otelcol-contrib_<V>_linux_<arch>.tar.gz
  M/otelcol-contrib/<V>/$OTELCOL_CHECKSUMS
  M/opampsupervisor/<V>/opampsupervisor_<V>_linux_<arch>
  M/opampsupervisor/<V>/$SUPERVISOR_CHECKSUMS

Writes:
  $OTELCOL_BIN, $SUPERVISOR_BIN
  $CONFIG_FILE (mode 0600; holds the token; a replaced file is kept as supervisor.yaml.bak)
  $UNIT_FILE (alias $LEGACY_UNIT_NAME)
  $STORAGE_DIR/ (supervisor storage, mode 0750), with the link
  $EFFECTIVE_CONFIG_LINK -> effective.yaml (the config the collector runs with)
and creates the system user '$SERVICE_USER' if it is missing.

An install by an earlier version of this script ($LEGACY_UNIT_NAME, storage in
$LEGACY_STORAGE_DIR) is migrated: that unit is stopped, disabled and its file
removed (the name stays an alias); its drop-ins and its storage are moved to the new places (the
instance id with it, so the collector keeps its identity in LinkMesh); $LEGACY_STATE_DIR is
removed if that leaves it empty.

Follow the logs with: journalctl -u ${UNIT_NAME%.service} -f
EOF
}

# Everything below runs inside main(), called on the last line: sh parses a whole function before
# running it, so a download cut short by the network (curl ... | sh) runs nothing at all.
main() {
# --- Arguments -----------------------------------------------------------------------------------
token=${LINKMESH_TOKEN:-}
server=$LINKMESH_SERVER_URL
server_given=0
otelcol_version=${OTELCOL_VERSION:-$DEFAULT_OTELCOL_VERSION}
supervisor_version=${SUPERVISOR_VERSION:-$DEFAULT_SUPERVISOR_VERSION}
mirror=
dry_run=0
root=
root_given=0
skip_checksum=0

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
    --token | --server | --otelcol-version | --supervisor-version | --mirror | --root)
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
        --otelcol-version) otelcol_version=$value ;;
        --supervisor-version) supervisor_version=$value ;;
        --mirror) mirror=$value ;;
        --root)
          root=$value
          root_given=1
          ;;
      esac
      ;;
    --dry-run | --skip-checksum | -h | --help)
      [ "$inline" = 0 ] || die "$opt does not take a value"
      case $opt in
        --dry-run) dry_run=1 ;;
        --skip-checksum) skip_checksum=1 ;;
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
[ -n "$token" ] || die "an enrollment token is required: pass --token TOKEN (or set LINKMESH_TOKEN and use sudo -E). Mint one in LinkMesh: Collectors > Add Collector > OpAMP."
# The token is quoted into YAML and sent as an HTTP header: allow only URL-safe characters.
case $token in
  *[!A-Za-z0-9._~-]*) die "the token contains characters a LinkMesh token never has; copy it again from LinkMesh" ;;
esac
[ "${#token}" -ge 16 ] || die "the token is too short to be a LinkMesh enrollment token; copy it again from LinkMesh"

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
case $server in
  https://*)
    endpoint="wss://${server#https://}/v1/opamp"
    ws_insecure=0
    ;;
  *)
    endpoint="ws://${server#http://}/v1/opamp"
    ws_insecure=1
    ;;
esac

otelcol_version=$(normalize_version "$otelcol_version") || die "--otelcol-version must look like 0.135.0"
supervisor_version=$(normalize_version "$supervisor_version") || die "--supervisor-version must look like 0.135.0"

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

if [ "$root_given" = 1 ]; then
  [ "$dry_run" = 1 ] || die "--root is only allowed with --dry-run (a real install always writes to /)"
  [ -n "$root" ] || die "--root needs a directory"
fi

os=$(uname -s)
[ "$os" = Linux ] || die "unsupported operating system '$os': only Linux (amd64, arm64) is supported"
machine=$(uname -m)
case $machine in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64 | armv8*) arch=arm64 ;;
  *) die "unsupported architecture '$machine': only amd64 (x86_64) and arm64 (aarch64) are supported" ;;
esac

otelcol_asset=otelcol-contrib_${otelcol_version}_linux_${arch}.tar.gz
supervisor_asset=opampsupervisor_${supervisor_version}_linux_${arch}
if [ -n "$mirror" ]; then
  otelcol_base=$mirror/otelcol-contrib/$otelcol_version
  supervisor_base=$mirror/opampsupervisor/$supervisor_version
else
  otelcol_base=$RELEASES_URL/v$otelcol_version
  supervisor_base=$RELEASES_URL/cmd%2Fopampsupervisor%2Fv$supervisor_version
fi

# --- Preflight (real install only) ----------------------------------------------------------------
downloader=
if [ "$dry_run" = 0 ]; then
  [ "$(id -u)" = 0 ] || die "must run as root: curl -fsSL <server>/api/v1/downloads/install-opamp.sh | sudo sh -s -- --token TOKEN (or preview with --dry-run)"
  if [ -z "$mirror" ] || [ "${mirror#/}" = "$mirror" ]; then
    if command -v curl >/dev/null 2>&1; then
      downloader=curl
    elif command -v wget >/dev/null 2>&1; then
      downloader=wget
    else
      die "curl or wget is required to download the collector; install one of them and re-run"
    fi
  fi
  for tool in tar mktemp; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required; install it and re-run"
  done
  if [ "$skip_checksum" = 0 ]; then
    command -v sha256sum >/dev/null 2>&1 || die "'sha256sum' is required to verify the downloads (or pass --skip-checksum)"
  fi
  if ! command -v systemctl >/dev/null 2>&1 || [ ! -d /run/systemd/system ]; then
    die "systemd is required: $UNIT_NAME is a systemd unit and this host does not run systemd"
  fi
  if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
    command -v useradd >/dev/null 2>&1 || die "'useradd' is required to create the '$SERVICE_USER' system user"
  fi
fi

# Every path written goes through p(): "$prefix" is empty for a real install.
prefix=
if [ "$dry_run" = 1 ]; then
  if [ "$root_given" = 0 ]; then
    root=$(mktemp -d "${TMPDIR:-/tmp}/install-opamp-dry-run.XXXXXX") || die "cannot create a temporary directory"
  fi
  case $root in
    /*) ;;
    *) root=$(pwd)/$root ;;
  esac
  mkdir -p "$root" || die "cannot create --root directory '$root'"
  prefix=$(cd "$root" && pwd -P) || die "cannot enter --root directory '$root'"
  [ "$prefix" = / ] && prefix=
fi

# An install by an earlier version of this script: its unit file (a regular file: once migrated,
# that path is the alias symlink systemctl enable makes) and its storage. Looked for through p(),
# so a dry run treats --root as the host. A foreign unit of that name is refused before anything
# is written: the alias needs the name.
legacy_unit=0
if [ -f "$(p "$LEGACY_UNIT_FILE")" ] && [ ! -L "$(p "$LEGACY_UNIT_FILE")" ]; then
  head -n 1 "$(p "$LEGACY_UNIT_FILE")" | grep -Fq "$UNIT_MARKER" ||
    die "$LEGACY_UNIT_FILE was not written by this installer, and $UNIT_NAME needs that name as its alias: disable that unit, move its file away and re-run"
  legacy_unit=1
fi
# The storage only with evidence that it is ours (the upstream supervisor's default storage
# directory is the same path): our old unit, or our supervisor.yaml naming it.
legacy_storage=0
if [ -d "$(p "$LEGACY_STORAGE_DIR")" ] && [ ! -L "$(p "$LEGACY_STORAGE_DIR")" ]; then
  if [ "$legacy_unit" = 1 ] || grep -Fqx "  directory: \"$LEGACY_STORAGE_DIR\"" "$(p "$CONFIG_FILE")" 2>/dev/null; then
    legacy_storage=1
  fi
fi

if [ "$dry_run" = 1 ]; then
  say "dry run: nothing is downloaded, installed or started; files are written under ${prefix:-/}"
fi
say "server $server (OpAMP endpoint $endpoint), token $token_hint"
say "platform linux/$arch: otelcol-contrib $otelcol_version, opampsupervisor $supervisor_version"

# --- Download and verify ------------------------------------------------------------------------
work=
written_tmp=
# Turn signals into an exit so the EXIT trap removes the downloads and any half-written config.
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

if [ "$dry_run" = 0 ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/install-opamp.XXXXXX") || die "cannot create a temporary directory"
fi
get_artifact "$otelcol_base" "$otelcol_asset" "$OTELCOL_CHECKSUMS"
get_artifact "$supervisor_base" "$supervisor_asset" "$SUPERVISOR_CHECKSUMS"
if [ "$dry_run" = 0 ]; then
  mkdir "$work/otelcol"
  tar -xzf "$work/$otelcol_asset" -C "$work/otelcol" || die "cannot unpack $otelcol_asset"
  [ -f "$work/otelcol/otelcol-contrib" ] || die "$otelcol_asset has no otelcol-contrib binary"
fi

# --- Install ------------------------------------------------------------------------------------
if [ "$dry_run" = 1 ]; then
  say "[dry-run] would create the system user '$SERVICE_USER' if it is missing (useradd --system --user-group)"
elif ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
  nologin=/usr/sbin/nologin
  [ -x "$nologin" ] || nologin=/sbin/nologin
  [ -x "$nologin" ] || nologin=/bin/false
  useradd --system --user-group --no-create-home --home-dir "$STORAGE_DIR" --shell "$nologin" "$SERVICE_USER" ||
    die "cannot create the system user '$SERVICE_USER'"
  say "created the system user '$SERVICE_USER'"
fi

if [ "$dry_run" = 1 ]; then
  say "[dry-run] would install $OTELCOL_BIN and $SUPERVISOR_BIN (mode 0755)"
else
  install_binary "$work/otelcol/otelcol-contrib" "$OTELCOL_BIN"
  install_binary "$work/$supervisor_asset" "$SUPERVISOR_BIN"
  "$OTELCOL_BIN" --version >/dev/null 2>&1 || warn "$OTELCOL_BIN --version failed; is this the right architecture?"
fi

# --- Migrate an earlier install -----------------------------------------------------------------
# Earlier versions ran the supervisor as opamp-supervisor.service with its storage in
# /var/lib/otelcol/supervisor. The old unit is stopped first (nothing writes the storage while it
# moves), the storage moves with its persistent_state.yaml (the instance id: the collector keeps
# its identity in LinkMesh), and the old unit file goes, its name becoming an alias of the new
# unit. A re-run finds nothing left to migrate.
if [ "$legacy_unit" = 1 ]; then
  if [ "$dry_run" = 1 ]; then
    say "[dry-run] would stop and disable $LEGACY_UNIT_NAME (installed by an earlier version of this script)"
  else
    systemctl stop "$LEGACY_UNIT_NAME" || die "cannot stop $LEGACY_UNIT_NAME; stop it and re-run"
    systemctl disable "$LEGACY_UNIT_NAME" >/dev/null 2>&1 || die "systemctl disable $LEGACY_UNIT_NAME failed"
    say "stopped and disabled $LEGACY_UNIT_NAME (installed by an earlier version of this script)"
  fi
fi

# Moves every entry of the old storage into the new one (created if missing) unless the new one
# already holds an instance id: that identity is kept and the old storage left alone.
migrate_storage() {
  from=$(p "$LEGACY_STORAGE_DIR")
  to=$(p "$STORAGE_DIR")
  if [ -e "$to/persistent_state.yaml" ] || [ -L "$to/persistent_state.yaml" ]; then
    warn "$LEGACY_STORAGE_DIR and $STORAGE_DIR both hold a supervisor state; keeping $STORAGE_DIR (this collector's identity) and leaving $LEGACY_STORAGE_DIR alone: remove it once you no longer need it"
    return 0
  fi
  if [ "$dry_run" = 1 ]; then
    say "[dry-run] would move the supervisor storage $LEGACY_STORAGE_DIR to $STORAGE_DIR (with the instance id: the collector keeps its identity in LinkMesh) and remove $LEGACY_STATE_DIR if that leaves it empty"
    return 0
  fi
  mkdir -p "$to"
  for entry in "$from"/* "$from"/.[!.]* "$from"/..?*; do
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    mv -f "$entry" "$to/" || die "cannot move $entry to $STORAGE_DIR"
  done
  rmdir "$from" || die "cannot remove $LEGACY_STORAGE_DIR after moving its contents"
  say "moved the supervisor storage $LEGACY_STORAGE_DIR to $STORAGE_DIR (with the instance id: the collector keeps its identity in LinkMesh)"
  if rmdir "$(p "$LEGACY_STATE_DIR")" 2>/dev/null; then
    say "removed the empty $LEGACY_STATE_DIR"
  else
    say "left $LEGACY_STATE_DIR in place: it holds other files"
  fi
}
[ "$legacy_storage" = 0 ] || migrate_storage

if [ "$legacy_unit" = 1 ]; then
  # Drop-ins (the old unit said: systemctl edit opamp-supervisor.service) follow the unit.
  dropins_from=$(p "$LEGACY_UNIT_FILE.d")
  dropins_to=$(p "$UNIT_FILE.d")
  if [ -d "$dropins_from" ] && [ ! -L "$dropins_from" ]; then
    if [ -e "$dropins_to" ] || [ -L "$dropins_to" ]; then
      warn "left $LEGACY_UNIT_FILE.d in place: $UNIT_FILE.d exists; move the drop-ins you need into it"
    elif [ "$dry_run" = 1 ]; then
      say "[dry-run] would move the drop-ins $LEGACY_UNIT_FILE.d to $UNIT_FILE.d"
    else
      mv "$dropins_from" "$dropins_to" || die "cannot move $LEGACY_UNIT_FILE.d to $UNIT_FILE.d"
      say "moved the drop-ins $LEGACY_UNIT_FILE.d to $UNIT_FILE.d"
    fi
  fi
  if [ "$dry_run" = 1 ]; then
    say "[dry-run] would remove $LEGACY_UNIT_FILE; $LEGACY_UNIT_NAME becomes an alias of $UNIT_NAME"
  else
    rm -f "$(p "$LEGACY_UNIT_FILE")"
    say "removed $LEGACY_UNIT_FILE; $LEGACY_UNIT_NAME becomes an alias of $UNIT_NAME (its earlier logs stay under journalctl -u ${LEGACY_UNIT_NAME%.service})"
  fi
fi

# --- Directories --------------------------------------------------------------------------------
# The service user owns its storage; root owns the config directory, readable by the group.
mkdir -p "$(p "$STORAGE_DIR")" "$(p "$CONFIG_DIR")"
chmod 0750 "$(p "$STORAGE_DIR")" "$(p "$CONFIG_DIR")"
if [ "$dry_run" = 1 ]; then
  say "[dry-run] would chown $STORAGE_DIR to $SERVICE_USER:$SERVICE_USER, $CONFIG_DIR to root:$SERVICE_USER"
else
  chown "$SERVICE_USER:$SERVICE_USER" "$STORAGE_DIR"
  chown "root:$SERVICE_USER" "$CONFIG_DIR"
fi
# The supervisor starts the collector with --config effective.yaml (the merged config) and writes
# it into its storage; this name is the one `find /var/lib/otelcol-contrib -name 'effective_config*'`
# and `cat /var/lib/otelcol-contrib/effective_config.yaml` look for. Relative, so it holds under
# --root too; dangling until the supervisor has run once.
ln -sf effective.yaml "$(p "$EFFECTIVE_CONFIG_LINK")"
say "linked $(p "$EFFECTIVE_CONFIG_LINK") -> effective.yaml (the config the collector runs with)"

# The supervisor's server.headers is a Go http.Header (name -> list of values), hence the list.
# TLS settings are only read for wss://; with wss:// the system CA roots are used.
render_supervisor_yaml() {
  printf '%s\n' \
    '# Written by the LinkMesh OpAMP installer (install-opamp.sh); re-running it rewrites this file.' \
    '# Holds the enrollment token: keep it mode 0600. After enrolment the LinkMesh server hands the' \
    "# supervisor the collector's own bearer token through OpAMP connection settings." \
    'server:' \
    "  endpoint: \"$endpoint\"" \
    '  headers:' \
    "    Authorization: [\"Bearer $token\"]"
  if [ "$ws_insecure" = 1 ]; then
    printf '%s\n' '  tls:' '    insecure: true'
  fi
  printf '%s\n' \
    'capabilities:' \
    '  accepts_remote_config: true' \
    '  reports_remote_config: true' \
    '  reports_effective_config: true' \
    '  reports_own_metrics: true' \
    '  reports_health: true' \
    '  reports_heartbeat: true' \
    '  accepts_opamp_connection_settings: true' \
    '  accepts_restart_command: true' \
    'agent:' \
    "  executable: \"$OTELCOL_BIN\"" \
    "  # The collector logs through the supervisor, so journalctl -u ${UNIT_NAME%.service} shows both." \
    '  passthrough_logs: true' \
    'storage:' \
    "  directory: \"$STORAGE_DIR\""
}

render_unit() {
  cat <<EOF
$UNIT_MARKER; re-running it rewrites this file.
# Put local changes in a drop-in: systemctl edit $UNIT_NAME
[Unit]
Description=OpenTelemetry OpAMP supervisor for otelcol-contrib (managed by LinkMesh)
Documentation=https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/cmd/opampsupervisor
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=$SERVICE_USER
Group=$SERVICE_USER
WorkingDirectory=$STORAGE_DIR
ExecStart=$SUPERVISOR_BIN --config $CONFIG_FILE
Restart=on-failure
RestartSec=5s
# The supervisor stops the collector it runs; only stragglers get SIGKILL after the timeout.
KillMode=mixed
TimeoutStopSec=30s
NoNewPrivileges=true

[Install]
WantedBy=multi-user.target
# The name earlier versions of this script gave the unit: systemctl status $LEGACY_UNIT_NAME works.
Alias=$LEGACY_UNIT_NAME
EOF
}

# write_file DEST MODE RENDER_FUNCTION: atomic replace through a temporary file in the same
# directory (mktemp creates it 0600, so the token is never readable by others, not even briefly).
write_file() {
  tmp=$(mktemp "$(dirname "$1")/.install-opamp.XXXXXX") || die "cannot write in $(dirname "$1")"
  "$3" >"$tmp"
  chmod "$2" "$tmp"
  written_tmp=$tmp
}

config_path=$(p "$CONFIG_FILE")
write_file "$config_path" 0600 render_supervisor_yaml
if [ -f "$config_path" ] && ! cmp -s "$written_tmp" "$config_path"; then
  if grep -Fq "\"Bearer $token\"" "$config_path"; then
    say "notice: $CONFIG_FILE differs from what this run writes; replacing it (previous copy: supervisor.yaml.bak)"
  else
    say "notice: $CONFIG_FILE holds a different token; replacing it (previous copy: supervisor.yaml.bak)"
  fi
  cp -p "$config_path" "$config_path.bak"
  chmod 0600 "$config_path.bak"
fi
[ "$dry_run" = 1 ] || chown "$SERVICE_USER:$SERVICE_USER" "$written_tmp"
mv -f "$written_tmp" "$config_path"
written_tmp=
say "wrote $config_path (mode 0600)"

unit_path=$(p "$UNIT_FILE")
mkdir -p "$(dirname "$unit_path")"
write_file "$unit_path" 0644 render_unit
mv -f "$written_tmp" "$unit_path"
written_tmp=
say "wrote $unit_path"

# --- Start ------------------------------------------------------------------------------------
# restart (not enable --now) so that a re-run also picks up a new config or new binaries.
if [ "$dry_run" = 1 ]; then
  say "[dry-run] would run: systemctl daemon-reload && systemctl enable $UNIT_NAME && systemctl restart $UNIT_NAME"
else
  systemctl daemon-reload
  systemctl enable "$UNIT_NAME" >/dev/null 2>&1 || die "systemctl enable $UNIT_NAME failed"
  systemctl restart "$UNIT_NAME" || die "$UNIT_NAME did not start; see: journalctl -u ${UNIT_NAME%.service} -e"
  say "started $UNIT_NAME"
fi

# --- Summary ------------------------------------------------------------------------------------
if [ "$dry_run" = 1 ]; then
  heading="dry run complete (nothing downloaded, installed or started); files written under ${prefix:-/}:"
else
  heading="installed. Files:"
fi
cat <<EOF

LinkMesh OpAMP enrolment: $heading
  $(p "$CONFIG_FILE")  (mode 0600, token $token_hint)
  $(p "$UNIT_FILE")  (alias $LEGACY_UNIT_NAME)
  $(p "$STORAGE_DIR")/  (supervisor storage; effective_config.yaml -> effective.yaml)
EOF
if [ "$dry_run" = 0 ]; then
  printf '  %s\n  %s\n' "$OTELCOL_BIN ($otelcol_version)" "$SUPERVISOR_BIN ($supervisor_version)"
fi
cat <<EOF

  OpAMP endpoint:  $endpoint
  Follow the logs: journalctl -u ${UNIT_NAME%.service} -f
  Running config:  $EFFECTIVE_CONFIG_LINK (once the supervisor has started the collector)

The collector appears in LinkMesh (Collectors, mode OpAMP) within about 30 seconds. If it does not,
check the logs: an expired or already used enrollment token is refused; mint a new one and re-run.
EOF
}

main "$@"
