/**
 * The names config.json gives the safetensors dtypes we write (`torch_dtype`), both ways: saving a
 * checkpoint records its dtype, and a random checkpoint defaults to the dtype its config names.
 */
export const TORCH_DTYPE = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' } as const;

export type TorchDtypeKey = keyof typeof TORCH_DTYPE;

/** The safetensors dtype a config's `torch_dtype` names, if it is one we write. */
export function dtypeOfTorchDtype(torchDtype: unknown): TorchDtypeKey | undefined {
  const found = Object.entries(TORCH_DTYPE).find(([, t]) => t === torchDtype);
  return found?.[0] as TorchDtypeKey | undefined;
}
