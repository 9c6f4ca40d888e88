#!/usr/bin/env bash
# Prepare a fresh clone: install dependencies, make sure WebGPU has an adapter (installing
# SwiftShader via Debian's chromium packages when there is no GPU), then build.
# Idempotent. Installs system packages only on Debian/Ubuntu machines without a WebGPU adapter.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SWIFTSHADER_ICD=/usr/lib/chromium/vk_swiftshader_icd.json
DEBIAN_CHROMIUM=/usr/lib/chromium/chromium

log() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run: $* (no sudo found)"
  fi
}

apt_install() {
  log "installing with apt-get: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

probe() { node scripts/probe-webgpu.mjs 2>/dev/null; }

# 1. Dependencies.
command -v node >/dev/null 2>&1 || die "node is not installed (need Node >= 20)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  die "need Node >= 20, found $(node --version)"
if [ -f package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
else
  log "npm install (no package-lock.json)"
  npm install --no-audit --no-fund --loglevel=error
fi

# 2. A WebGPU adapter for Node (Dawn).
os="$(uname -s)"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
if probe; then
  :
elif [ "$os" = Linux ] && [ -z "${VK_ICD_FILENAMES:-}" ]; then
  log "no adapter with the default Vulkan drivers; trying SwiftShader (CPU Vulkan from chromium)"
  if ! { [ -f "$SWIFTSHADER_ICD" ] && VK_ICD_FILENAMES="$SWIFTSHADER_ICD" probe; }; then
    command -v apt-get >/dev/null 2>&1 ||
      die "no WebGPU adapter and no apt-get: install a Vulkan driver (e.g. mesa-vulkan-drivers) or set VK_ICD_FILENAMES, then rerun"
    apt_install libvulkan1 chromium-common chromium
    VK_ICD_FILENAMES="$SWIFTSHADER_ICD" probe ||
      die "still no WebGPU adapter with VK_ICD_FILENAMES=$SWIFTSHADER_ICD"
  fi
  log "OK on SwiftShader; npm test/bench/demo set VK_ICD_FILENAMES themselves (in a shell: . scripts/env.sh)"
else
  die "no WebGPU adapter (VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-unset}); the GPU tests cannot run"
fi

# 3. A Chromium for the browser test projects.
if [ -n "${PLAYWRIGHT_CHROMIUM_PATH:-}" ]; then
  [ -x "$PLAYWRIGHT_CHROMIUM_PATH" ] || die "PLAYWRIGHT_CHROMIUM_PATH=$PLAYWRIGHT_CHROMIUM_PATH is not executable"
elif [ "$os" = Linux ]; then
  if [ ! -x "$DEBIAN_CHROMIUM" ]; then
    if command -v apt-get >/dev/null 2>&1; then
      apt_install libvulkan1 chromium-common chromium
    else
      log "warning: no $DEBIAN_CHROMIUM; set PLAYWRIGHT_CHROMIUM_PATH to a Chromium for the browser tests"
    fi
  fi
else
  log "browser tests use Playwright's Chromium; if missing: npx playwright install chromium (or set PLAYWRIGHT_CHROMIUM_PATH)"
fi

# 4. Build.
log "npm run build"
npm run build --silent
log "done. Try: npm run demo, npm test"
