#!/usr/bin/env bash
# Installs what lab needs on a Debian/Ubuntu host (apt packages, Go check, npm packages).
# Idempotent: installs only what is missing. Needs root for apt (lab itself needs root too).
set -euo pipefail
cd "$(dirname "$0")"

packages=(qemu-system-x86 qemu-utils cpio mmdebstrap squashfs-tools e2fsprogs kmod xz-utils iproute2 tar jq shellcheck util-linux dropbear-bin openssl chromium libxml2-utils tcpdump zstd git gcc libc6-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null; then
  [ -x /usr/local/go/bin/go ] && export PATH="$PATH:/usr/local/go/bin"
fi
if ! command -v go >/dev/null; then
  echo "setup: installing golang-go (builds the guest init)"
  apt-get install -y -qq --no-install-recommends golang-go >/dev/null
fi

# Go modules we build (multus; Kubernetes later) ask for Go >= 1.25; Go >= 1.21 fetches that
# toolchain from the Go module proxy by itself, older Go cannot.
go_minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ "${go_minor:-0}" -lt 21 ]; then
  echo "setup: $(go env GOVERSION) is too old to build multus: install Go >= 1.21 (e.g. from bookworm-backports)" >&2
  exit 1
fi

# npm ci also compiles the TypeScript (the package's prepare script).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm run --silent build
fi
echo "setup: ready ($(node --version), $(go version | cut -d' ' -f3), $(qemu-system-x86_64 --version | head -1))"
