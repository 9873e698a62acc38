# Helpers shared by install.sh and install-opamp.sh. Not a script of its own: the server
# inlines it where a template says `# @include installer-lib.sh`, so each download stays one
# self-contained file. The functions read the caller's globals ($downloader, $dry_run, $prefix,
# $skip_checksum, $work, $written_tmp) when they run, and use its say/warn/die.

# A URL with only the characters a LinkMesh external URL needs; anything else (quotes, spaces,
# query strings, credentials) is refused because the URL is passed on and written into files.
valid_url() {
  case $1 in
    *[!]A-Za-z0-9._~:/%[-]*) return 1 ;;
  esac
  printf '%s\n' "$1" | grep -Eq '^https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?$'
}

# 0.135.0 or v0.135.0 → 0.135.0; anything else fails.
normalize_version() {
  v=${1#v}
  case $v in
    [0-9]*.[0-9]*.[0-9]*) ;;
    *) return 1 ;;
  esac
  case $v in
    *[!0-9A-Za-z.-]*) return 1 ;;
  esac
  printf '%s' "$v"
}

# A path under --root (dry runs) or the real one.
p() { printf '%s%s' "$prefix" "$1"; }

# Removes the downloads and any half-written file (the caller traps EXIT to it).
cleanup() {
  [ -z "$work" ] || rm -rf "$work"
  [ -z "$written_tmp" ] || rm -f "$written_tmp"
}

fetch() { # fetch SOURCE DEST
  case $1 in
    /*) cp "$1" "$2" || die "cannot copy $1 from the mirror directory" ;;
    *)
      if [ "$downloader" = curl ]; then
        curl -fsSL --retry 3 --connect-timeout 20 -o "$2" "$1" || die "download failed: $1"
      else
        wget -q -T 30 -O "$2" "$1" || die "download failed: $1"
      fi
      ;;
  esac
}

verify() { # verify FILE ASSET CHECKSUMS_FILE
  expected=$(awk -v a="$2" '$2 == a || $2 == ("*" a) { print $1; exit }' "$3")
  [ -n "$expected" ] || die "$2 is not listed in its checksum file; is the version right?"
  actual=$(sha256sum "$1" | awk '{ print $1 }')
  [ "$actual" = "$expected" ] || die "checksum mismatch for $2 (expected $expected, got $actual)"
}

install_binary() { # install_binary SOURCE DEST; rename over the old one so a running copy is untouched
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2.new"
  chmod 0755 "$2.new"
  mv -f "$2.new" "$2"
  say "installed $2"
}

# get_artifact BASE ASSET CHECKSUMS_NAME: into $work/ASSET, checked against the release's checksum
# file unless --skip-checksum; a dry run only says what it would fetch.
get_artifact() {
  if [ "$dry_run" = 1 ]; then
    case $1 in
      /*) say "[dry-run] would copy $1/$2" ;;
      *) say "[dry-run] would download $1/$2" ;;
    esac
    [ "$skip_checksum" = 1 ] || say "[dry-run] would verify it against $1/$3"
    return 0
  fi
  case $1 in
    /*) say "copying $1/$2" ;;
    *) say "downloading $1/$2" ;;
  esac
  fetch "$1/$2" "$work/$2"
  if [ "$skip_checksum" = 0 ]; then
    fetch "$1/$3" "$work/$2.sums"
    verify "$work/$2" "$2" "$work/$2.sums"
    say "verified the SHA-256 of $2"
  fi
}
