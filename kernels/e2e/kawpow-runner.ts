/**
 * The KawPow side of compliance.html?suite=kawpow, in the page or its dedicated worker: the
 * GPU engine's own cases against the WASM engine on epoch 0's real light cache with a reduced
 * dataset (kawpow-cases.ts), then core's shared KawPow suite with the GPU as its subject
 * (without the cases that need an epoch's full DAG unless realEpochs=1).
 */
import { createWasmKawpowHasher } from '@otedama/wasm';
import { kawpowComplianceCases } from '../../core/test/kawpow-compliance.ts';
import { requestKawpowDevice } from '../src/kawpow/device.ts';
import { kawpowCases, KawpowSuite } from './kawpow-cases.ts';
import { GPU_SHARED_SUITE_OPTIONS, kawpowSettingsFromQuery, needsFullDataset, SHARED_PREFIX } from './kawpow-settings.ts';
import { wasmLightCache, wasmReference, webgpuKawpowSubject } from './kawpow-subject.ts';
import { adapterName } from './harness-engines.ts';
import { runCases, type ComplianceEvent } from './compliance-runner.ts';

/** Dataset of the shared suite's `epochs` group: it reads the first 2048 items of 2048 bits. */
const EPOCH_DATASET_ITEMS = 4096;

export async function runKawpowCompliance(search: string, emit: (event: ComplianceEvent) => void): Promise<void> {
  const settings = kawpowSettingsFromQuery(search);
  const { device, info } = await requestKawpowDevice(navigator.gpu);
  const wasm = await createWasmKawpowHasher();
  let suite: KawpowSuite | undefined;
  let gpuSubject: ReturnType<typeof webgpuKawpowSubject> | undefined;
  try {
    const engine = {
      ...(settings.hashesPerGroup === undefined ? {} : { hashesPerGroup: settings.hashesPerGroup }),
      ...(settings.l1InWorkgroup === undefined ? {} : { l1InWorkgroup: settings.l1InWorkgroup }),
      ...(settings.dispatchHashes === undefined ? {} : { dispatchHashes: settings.dispatchHashes }),
    };
    emit({ type: 'engine', description: `${adapterName(info)} (${info.featureLevel}); reference ${wasm.name}; ${settings.datasetItems} dataset items` });
    const input = { epoch: 0, lightCache: await wasmLightCache(wasm, 0), datasetBytes: settings.datasetItems * 128 };
    suite = new KawpowSuite(device, input, await wasmReference(wasm, 0), { noncesPerHeight: settings.noncesPerHeight, engine });
    const own = suite;
    await runCases(kawpowCases().map((c) => ({ name: c.name, run: () => c.run(own) })), emit);
    await own.close();

    gpuSubject = webgpuKawpowSubject(device, wasm, {
      maxDatasetBytes: settings.realEpochs ? Infinity : EPOCH_DATASET_ITEMS * 128,
      epochDatasetItems: EPOCH_DATASET_ITEMS,
    });
    const shared = kawpowComplianceCases(gpuSubject.subject, GPU_SHARED_SUITE_OPTIONS).filter((c) => settings.realEpochs || !needsFullDataset(c.name));
    await runCases(shared, emit, SHARED_PREFIX);
    emit({ type: 'done' });
  } finally {
    await suite?.close();
    gpuSubject?.dispose();
    wasm.dispose();
    device.destroy();
  }
}
