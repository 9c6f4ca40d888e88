# shellcheck shell=sh
# Source me:  . scripts/env.sh
# Sets WebGPU defaults for GPU-less Linux machines (SwiftShader, a CPU Vulkan driver shipped with
# Debian/Ubuntu chromium). Never overrides values that are already set; harmless on macOS/Windows.
: "${XDG_RUNTIME_DIR:=/tmp}"
export XDG_RUNTIME_DIR
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -f /usr/lib/chromium/vk_swiftshader_icd.json ]; then
  _llms_gpu=0
  [ -e /dev/nvidia0 ] && _llms_gpu=1
  for _llms_n in /dev/dri/renderD*; do [ -e "$_llms_n" ] && _llms_gpu=1; done
  if [ "$_llms_gpu" = 0 ]; then
    VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
    export VK_ICD_FILENAMES
  fi
  unset _llms_gpu _llms_n
fi
