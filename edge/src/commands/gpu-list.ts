/** `otedama gpu list`: the WebGPU adapters the `webgpu` package (Dawn) can use here. */
import { JSON_FLAG, type Command } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { listGpuAdapters, type GpuAdapterInfo } from '../miner/gpu-devices.ts';

function describe(a: GpuAdapterInfo): string {
  const name = a.description || a.device || 'unknown adapter';
  const vendor = [a.vendor, a.architecture].filter(Boolean).join(' ');
  return [
    `${a.index}  ${name}${a.isFallbackAdapter ? ' (fallback adapter)' : ''}`,
    `   vendor: ${vendor || '-'}, device: ${a.device || '-'}, backend: ${a.backend}, feature level: ${a.featureLevel}`,
    `   limits: workgroup size x ${a.maxComputeWorkgroupSizeX}, invocations/workgroup ${a.maxComputeInvocationsPerWorkgroup}, workgroups/dimension ${a.maxComputeWorkgroupsPerDimension}`,
  ].join('\n');
}

export const gpuListCommand: Command = {
  words: ['gpu', 'list'],
  summary: 'list the WebGPU adapters otedama mine --gpu can use',
  usage: '[--json]',
  details: 'Indices are what otedama mine --gpu and otedama mining benchmark --gpu take.',
  flags: [JSON_FLAG],
  async run(args, io) {
    if (args.positionals.length) throw new CliUsageError(`unexpected argument "${args.positionals[0]}"`);
    const listing = await listGpuAdapters();
    if (args.flags.json) {
      io.out(JSON.stringify(listing.reason ? { adapters: listing.adapters, reason: listing.reason } : { adapters: listing.adapters }));
      return 0;
    }
    if (listing.adapters.length === 0) {
      io.out(`no WebGPU adapters found: ${listing.reason ?? 'unknown reason'}`);
      return 0;
    }
    io.out(listing.adapters.map(describe).join('\n'));
    return 0;
  },
};
