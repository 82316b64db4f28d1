// Preflight stage: the Helm client version, from `helm version --short` when helm is on PATH (for the
// helm-version rule). Bounded: Helm 2 prints its client version and then tries to reach Tiller, so the
// output read before the time limit counts.
import { execFile } from 'node:child_process';

/** The first `vX.Y.Z` in `helm version` output (`v3.14.2+gc309b6f`, `Client: v2.16.1+gbbdfe5e`). */
export function parseHelmVersion(out: string): string | undefined {
  return /v?\d+\.\d+\.\d+(?:[-+][\w.+-]*)?/.exec(out)?.[0];
}

/** Runs `helm version --short`; undefined when helm is not installed or prints no version. */
export function probeHelm(timeoutMs: number, helmPath = 'helm'): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      execFile(helmPath, ['version', '--short'], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024, windowsHide: true }, (_err, stdout) => {
        const v = parseHelmVersion(String(stdout ?? ''));
        resolve(v);
      });
    } catch {
      resolve(undefined);
    }
  });
}
