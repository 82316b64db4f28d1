// The webhook's CPU count: the machine's CPUs capped by the cgroup CPU limit (v1 and v2), and the default number
// of rule workers that follows from it (none on one CPU: the rules run on the event loop).
import { describe, expect, it } from 'vitest';
import { cgroupCpuLimit, effectiveCpus } from '../../src/webhook/cpus.js';
import { defaultWorkerCount } from '../../src/webhook/pool.js';

const files = (map: Record<string, string>) => (f: string) => map[f];

describe('cgroupCpuLimit', () => {
  it.each([
    ['v2, container root, 1 CPU', { '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '100000 100000\n' }, 1],
    ['v2, 1.5 CPUs rounds up', { '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '150000 100000\n' }, 2],
    ['v2, 100m is still one CPU', { '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '10000 100000\n' }, 1],
    ['v2, no limit', { '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': 'max 100000\n' }, undefined],
    ['v2, nested path on the host', { '/proc/self/cgroup': '0::/kubepods/pod1/c1\n', '/sys/fs/cgroup/kubepods/pod1/c1/cpu.max': '200000 100000' }, 2],
    ['v2, host path not mounted: the mount root', { '/proc/self/cgroup': '0::/kubepods/pod1/c1\n', '/sys/fs/cgroup/cpu.max': '300000 100000' }, 3],
    ['v1, cpu,cpuacct', { '/proc/self/cgroup': '4:memory:/x\n3:cpu,cpuacct:/kubepods/p/c\n', '/sys/fs/cgroup/cpu,cpuacct/kubepods/p/c/cpu.cfs_quota_us': '100000\n', '/sys/fs/cgroup/cpu,cpuacct/kubepods/p/c/cpu.cfs_period_us': '100000\n' }, 1],
    ['v1, cpu mount root', { '/proc/self/cgroup': '1:cpu:/\n', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '250000', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' }, 3],
    ['v1, quota -1 is no limit', { '/proc/self/cgroup': '1:cpu:/\n', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' }, undefined],
    ['no /proc (another OS)', {}, undefined],
    ['garbage in cpu.max', { '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': 'nonsense' }, undefined],
    ['zero period', { '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '100000 0' }, undefined],
  ] as const)('%s', (_name, map, want) => {
    expect(cgroupCpuLimit(files(map as Record<string, string>))).toBe(want);
  });
});

describe('effectiveCpus and the default worker count', () => {
  it.each([
    [16, { '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '100000 100000' }, 1, 0],
    [16, { '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '200000 100000' }, 2, 1],
    [2, { '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '800000 100000' }, 2, 1],
    [8, { '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': 'max 100000' }, 8, 4],
    [1, {}, 1, 0],
    [3, {}, 3, 2],
  ] as const)('%i CPUs, limit %j: %i usable, %i workers', (available, map, cpus, workers) => {
    const n = effectiveCpus(available, files(map as Record<string, string>));
    expect(n).toBe(cpus);
    expect(defaultWorkerCount(n)).toBe(workers);
  });

  it('reads this machine without throwing', () => {
    const n = effectiveCpus();
    expect(Number.isInteger(n) && n >= 1).toBe(true);
  });
});
