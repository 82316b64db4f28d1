// Webhook stage: how many CPUs this process may really use. Node 20's os.availableParallelism() counts the node's
// CPUs, not the container's CPU limit (the webhook chart sets `limits.cpu: 1`), so a pod limited to one CPU on a
// 16-CPU node would start four rule workers that can only take turns with the event loop. The limit is the
// cgroup's CPU quota (v2 `cpu.max`, v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`), rounded up, as Go 1.25's
// GOMAXPROCS and uber-go/automaxprocs read it. Pure apart from the file reads, which a test can replace.
import fs from 'node:fs';
import os from 'node:os';

export type ReadText = (file: string) => string | undefined;

const readText: ReadText = (file) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** quota / period as a CPU count (ceil, at least 1), or undefined for no limit or unreadable values. */
function fromQuota(quota: number, period: number): number | undefined {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) return undefined;
  return Math.max(1, Math.ceil(quota / period));
}

/**
 * The cgroup CPU limit of this process, in CPUs, or undefined when there is none (or it cannot be read).
 * `/proc/self/cgroup` names the cgroup; inside a container the cgroup file system is mounted at its own
 * cgroup, so the path is tried below the mount and then at the mount's root.
 */
export function cgroupCpuLimit(read: ReadText = readText): number | undefined {
  const self = read('/proc/self/cgroup');
  if (self === undefined) return undefined;
  const candidates = (mount: string, rel: string): string[] => (rel && rel !== '/' ? [`${mount}${rel}`, mount] : [mount]);
  for (const line of self.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, controllers, rel] = m;
    if (id === '0' && controllers === '') {
      // cgroup v2: "max 100000" (no limit) or "<quota> <period>".
      for (const dir of candidates('/sys/fs/cgroup', rel)) {
        const text = read(`${dir}/cpu.max`);
        if (text === undefined) continue;
        const [q, p] = text.trim().split(/\s+/);
        if (q === 'max') return undefined;
        return fromQuota(Number(q), Number(p ?? '100000'));
      }
    } else if (controllers.split(',').includes('cpu')) {
      // cgroup v1: a quota of -1 means no limit.
      for (const mount of ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct', '/sys/fs/cgroup/cpuacct,cpu']) {
        for (const dir of candidates(mount, rel)) {
          const q = read(`${dir}/cpu.cfs_quota_us`);
          if (q === undefined) continue;
          if (Number(q) < 0) return undefined;
          return fromQuota(Number(q), Number(read(`${dir}/cpu.cfs_period_us`) ?? '100000'));
        }
      }
    }
  }
  return undefined;
}

/** CPUs this process can use: the machine's, capped by the cgroup CPU limit when there is one. */
export function effectiveCpus(available: number = os.availableParallelism?.() ?? os.cpus().length, read: ReadText = readText): number {
  const limit = cgroupCpuLimit(read);
  return Math.max(1, limit !== undefined ? Math.min(available, limit) : available);
}
