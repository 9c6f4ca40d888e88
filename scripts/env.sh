# shellcheck shell=sh
# Source me:  . scripts/env.sh
# Sets WebGPU defaults for GPU-less Linux machines; the shell twin of scripts/webgpu-env.mjs.
# LLMS_ADAPTER picks the adapter Node (Dawn) uses:
#   auto (default)  a real GPU if there is one, else SwiftShader (a CPU Vulkan driver shipped with
#                   Debian/Ubuntu chromium); never overrides a VK_ICD_FILENAMES already set
#   swiftshader     SwiftShader
#   lavapipe        Mesa's lavapipe (CPU Vulkan, Mesa 25 from bookworm-backports; scripts/setup.sh)
# Harmless on macOS/Windows.
: "${XDG_RUNTIME_DIR:=/tmp}"
export XDG_RUNTIME_DIR
case "${LLMS_ADAPTER:-auto}" in
  swiftshader) VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json ;;
  lavapipe) VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json ;;
  auto)
    if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -f /usr/lib/chromium/vk_swiftshader_icd.json ]; then
      _llms_gpu=0
      [ -e /dev/nvidia0 ] && _llms_gpu=1
      for _llms_n in /dev/dri/renderD*; do [ -e "$_llms_n" ] && _llms_gpu=1; done
      [ "$_llms_gpu" = 0 ] && VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
      unset _llms_gpu _llms_n
    fi
    ;;
  *) echo "env.sh: LLMS_ADAPTER must be auto, swiftshader or lavapipe; got '$LLMS_ADAPTER'" >&2 ;;
esac
if [ -n "${VK_ICD_FILENAMES:-}" ]; then
  [ -f "$VK_ICD_FILENAMES" ] || echo "env.sh: $VK_ICD_FILENAMES is missing; run bash scripts/setup.sh" >&2
  export VK_ICD_FILENAMES
fi
