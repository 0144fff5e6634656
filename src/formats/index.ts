// The public face of src/formats for the layers below it: model files in Hugging Face layout
// (safetensors and sharded checkpoints, config.json, tokenizer.json) read from any ByteSource, with
// typed bad-file / not-found errors. Node-only pieces (nodeFolder.ts) and test helpers (testing.ts,
// fuzz.ts) are imported directly by the code that needs them, so this stays browser-safe.

export { blobSource, bytesSource, readExactly, type ByteSource } from './byteSource.ts';
export { CheckpointReader, type CheckpointOptions } from './checkpoint.ts';
export { INDEX_FILE, parseCheckpointIndex, type CheckpointIndex } from './checkpointIndex.ts';
export {
  CONFIG_FILE,
  knownModelTypes,
  parseModelConfig,
  validateModelConfig,
  type Gpt2Config,
  type LlamaConfig,
  type MdlmConfig,
  type ModelConfig,
  type ModelType,
  type StepwiseSection,
} from './config.ts';
export { DTYPES, DTYPE_SIZES, isFloatDtype, type Dtype } from './dtypes.ts';
export { bf16BytesToF32, f16BytesToF32, f32ToBf16Bytes, f32ToF16Bytes } from './halfFloat.ts';
export {
  WEIGHTS_FILE,
  loadModelFolder,
  memoryFolder,
  openCheckpoint,
  readWhole,
  type LoadOptions,
  type LoadedModel,
  type ModelFolder,
} from './modelFolder.ts';
export { MAX_HEADER_BYTES, type SafetensorsHeader, type TensorInfo } from './safetensorsHeader.ts';
export { SafetensorsFile, nonFiniteWarning, openSafetensors, type Tensor, type TensorData } from './safetensors.ts';
export { encodeSafetensors, writeSafetensors, type WritableDtype, type WritableTensor } from './safetensorsWriter.ts';
export {
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
  loadTokenizer,
  type EncodeOptions,
  type SpecialIds,
  type TextTokenizer,
} from './tokenizer.ts';
