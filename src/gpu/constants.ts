// WebGPU flag values from the specification. Kept as plain numbers so modules can use them at load
// time, before an implementation has installed the GPUBufferUsage / GPUMapMode globals (dawn.node
// installs them only when created).

export const Usage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  QUERY_RESOLVE: 0x0200,
} as const;

export const MapRead = 0x0001;
