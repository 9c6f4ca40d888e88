#!/usr/bin/env bash
# Prepare a fresh clone: install dependencies, make sure WebGPU has an adapter (installing
# SwiftShader via Debian's chromium packages when there is no GPU), install lavapipe (Mesa's CPU
# Vulkan driver, the second CPU adapter: LLMS_ADAPTER=lavapipe) on Debian, then build.
# Idempotent. Installs system packages only on Debian/Ubuntu machines, and only what is missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SWIFTSHADER_ICD=/usr/lib/chromium/vk_swiftshader_icd.json
LAVAPIPE_ICD=/usr/share/vulkan/icd.d/lvp_icd.json
# Our own apt sources file for bookworm-backports (Mesa 25: Dawn rejects Debian 12's Mesa 22.3 lavapipe).
BACKPORTS_SOURCES=/etc/apt/sources.list.d/llm-streamline-bookworm-backports.sources
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

# 3. lavapipe, the second CPU adapter (LLMS_ADAPTER=lavapipe): 128 MiB bindings, shader-f16 and
#    subgroups, where SwiftShader has 1 GiB bindings and no shader-f16. CI runs the tensor and llm
#    suites on it too. Debian 12 (bookworm) needs Mesa 25 from bookworm-backports: we add that suite
#    in a sources file of our own and pin nothing, so backports keep apt's default priority (100)
#    and only what `-t bookworm-backports` asks for (mesa-vulkan-drivers, and the Mesa libraries of
#    the same version it needs) comes from there. Newer Debian/Ubuntu releases ship a Mesa that works.
codename="$( (. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}") || true)"
if [ "$os" != Linux ]; then
  :
elif [ -f "$LAVAPIPE_ICD" ] && VK_ICD_FILENAMES="$LAVAPIPE_ICD" probe; then
  log "lavapipe: OK (LLMS_ADAPTER=lavapipe)"
elif ! command -v apt-get >/dev/null 2>&1; then
  log "warning: no lavapipe and no apt-get; install Mesa >= 25's mesa-vulkan-drivers for LLMS_ADAPTER=lavapipe"
else
  if [ "$codename" = bookworm ]; then
    if ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      log "adding bookworm-backports in $BACKPORTS_SOURCES (no pinning)"
      as_root tee "$BACKPORTS_SOURCES" >/dev/null <<'SOURCES'
# Added by llm-streamline's scripts/setup.sh for Mesa's lavapipe (mesa-vulkan-drivers >= 25).
# Nothing is pinned: backports keep priority 100, so only packages asked for with
# `apt-get install -t bookworm-backports` come from here.
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    fi
    apt_install -t bookworm-backports mesa-vulkan-drivers
  else
    apt_install mesa-vulkan-drivers
  fi
  if [ -f "$LAVAPIPE_ICD" ] && VK_ICD_FILENAMES="$LAVAPIPE_ICD" probe; then
    log "lavapipe: OK (LLMS_ADAPTER=lavapipe)"
  else
    log "warning: lavapipe installed but Dawn has no adapter with VK_ICD_FILENAMES=$LAVAPIPE_ICD (Mesa too old?)"
  fi
fi

# 4. A Chromium for the browser test projects (it brings its own SwiftShader, whatever LLMS_ADAPTER says).
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

# 5. Build.
log "npm run build"
npm run build --silent
log "done. Try: npm run demo, npm test"
