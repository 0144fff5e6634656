// What we know about an adapter, as plain data that can cross the worker boundary, and the adapter
// class that picks kernel variants: `cpu` for software rasterisers (SwiftShader, llvmpipe …), where
// workgroup memory and barriers are slow, and `gpu` for real GPUs, where they win.

export type AdapterClass = 'cpu' | 'gpu';

/** Limits that decide what fits: buffer sizes, binding sizes, workgroup shapes. */
export interface KeyLimits {
  maxBufferSize: number; // bytes in one GPUBuffer
  maxStorageBufferBindingSize: number; // bytes one storage binding may span
  maxStorageBuffersPerShaderStage: number; // storage bindings in one kernel
  maxComputeWorkgroupStorageSize: number; // bytes of var<workgroup> per workgroup
  maxComputeInvocationsPerWorkgroup: number; // threads per workgroup
  maxComputeWorkgroupSizeX: number; // threads along x
  maxComputeWorkgroupsPerDimension: number; // workgroups along one dispatch axis
}

export interface AdapterSummary {
  vendor: string; // e.g. "google", "nvidia", "apple"
  architecture: string; // e.g. "swiftshader", "ampere"
  device: string;
  description: string;
  isFallbackAdapter: boolean; // the browser's software fallback
  adapterClass: AdapterClass;
  features: string[]; // sorted feature names: shader-f16, subgroups, timestamp-query …
  limits: KeyLimits;
}

const SOFTWARE_ARCHITECTURES = ['swiftshader', 'llvmpipe', 'lavapipe', 'warp'];

export function classifyAdapter(
  info: { vendor: string; architecture: string; description: string },
  isFallback: boolean,
): AdapterClass {
  const text = `${info.vendor} ${info.architecture} ${info.description}`.toLowerCase();
  if (isFallback || SOFTWARE_ARCHITECTURES.some((s) => text.includes(s))) return 'cpu';
  return 'gpu';
}

export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  // `isFallbackAdapter` moved from the adapter to its info; read whichever this implementation has.
  const isFallback = Boolean(
    (info as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
    (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter,
  );
  const l = adapter.limits;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: isFallback,
    adapterClass: classifyAdapter(info, isFallback),
    features: [...adapter.features].map(String).sort(),
    limits: {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    },
  };
}
