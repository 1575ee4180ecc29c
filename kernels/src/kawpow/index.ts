export {
  buildKawpowDag,
  dagLayoutFor,
  readDagItems,
  DEFAULT_DAG_CHUNK_MS,
  DEFAULT_DAG_WORKGROUP_SIZE,
  DEFAULT_FIRST_CHUNK_ITEMS,
  type DagBuildOptions,
  type DagProgress,
  type KawpowDag,
  type KawpowDagInput,
} from './dag.ts';
export { planDagLayout, DAG_ITEM_BYTES, DAG_LOAD_BYTES, L1_CACHE_BYTES, type DagBuffer, type DagLayout, type DagLayoutLimits } from './dag-layout.ts';
export { requestKawpowDevice, dagBindingLimit, MAX_DAG_BINDINGS, type KawpowDevice, type KawpowDeviceOptions } from './device.ts';
export {
  autoTuneKawpowDispatch,
  createWebGpuKawpowEngine,
  DEFAULT_DISPATCH_HASHES,
  DEFAULT_HASHES_PER_GROUP,
  KAWPOW_LANES,
  MAX_HASHES_PER_GROUP,
  type WebGpuKawpowEngine,
  type WebGpuKawpowOptions,
} from './search.ts';
export { checkKawpowSearch, type KawpowSearchEngine, type KawpowSearchHit, type KawpowSearchJob, type KawpowSearchResult } from './search-job.ts';
export { kawpowSearchWgsl } from './search-program.ts';
export { createWebGpuKawpowHasher, WebGpuKawpowHasher, type WebGpuKawpowHasherOptions } from './hasher.ts';
