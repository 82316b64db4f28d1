// Model stage: versions and images of an Imply release. Parses Imply (`YYYY.MM[.P]`) and agent
// (`vN[-javaM]`) tags, embeds the bundled subcharts' own image defaults, and finds the images and
// version settings the chart renders into manifests (manager image, imply_defaults_implyVersion,
// imply_defaults_customImplyVersions).
import { containers, envVar } from './manifests.js';
import type { ContainerRef } from './manifests.js';
import type { K8sObject } from './types.js';

/**
 * The bundled MySQL subchart's own `imageTag` default (chart `mysql-1.5.0`; reference/README.md). No
 * parent values file of the 2021.05-1 or 0.4.11 line sets it; the 2023.03.1 values we have set 5.7.39.
 */
export const MYSQL_SUBCHART_DEFAULT_TAG = '5.7.14';

/** An Imply release version `YYYY.MM[.P]` as [year, month, patch]; suffixes (`-hdp-2.7.3`) are ignored. */
export function parseImplyVersion(v: string): [number, number, number] | undefined {
  const m = /^\s*(\d{4})\.(\d{1,2})(?:\.(\d+))?/.exec(v);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** Compares Imply versions: <0, 0, >0. */
export function compareImplyVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** An Imply agent image tag: `v15`, or `v20-java17` (seed: imply/agent:vVERSION-javaVERSION). */
export function parseAgentTag(tag: string): { agent: number; java?: number } | undefined {
  const m = /^v(\d+)(?:-java(\d+))?$/.exec(tag.trim());
  if (!m) return undefined;
  return { agent: Number(m[1]), java: m[2] === undefined ? undefined : Number(m[2]) };
}

/** The repository of an image reference without registry host or tag (`docker.io/library/mysql:5.7` -> `mysql`). */
export function imageName(image: string): string {
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const repo = colon > slash ? noDigest.slice(0, colon) : noDigest;
  return repo.slice(repo.lastIndexOf('/') + 1);
}

/** The manager's main container (`imply`, else the first non-init container). */
export function mainContainer(o: K8sObject): ContainerRef | undefined {
  const cs = containers(o).filter((c) => !c.init);
  return cs.find((c) => c.name === 'imply') ?? cs[0];
}

/** A non-empty `imply_defaults_implyVersion` on the manager (rendered only when druid.implyVersion is set). */
export function managerImplyVersion(manager: K8sObject): { value: string; path: readonly (string | number)[] } | undefined {
  const e = envVar(manager, 'imply_defaults_implyVersion');
  if (!e || e.value === undefined || e.value.trim() === '') return undefined;
  return { value: e.value.trim(), path: [...e.path, 'value'] };
}

/** Versions listed in the manager's `imply_defaults_customImplyVersions` (`[{"version":"…"}]`, features.rendered.yaml). */
export function managerCustomVersions(manager: K8sObject): string[] {
  const e = envVar(manager, 'imply_defaults_customImplyVersions');
  if (!e?.value) return [];
  try {
    const parsed: unknown = JSON.parse(e.value);
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((x) => {
      if (typeof x === 'string') return [x];
      if (x && typeof x === 'object' && typeof (x as { version?: unknown }).version === 'string') return [(x as { version: string }).version];
      return [];
    });
  } catch {
    return [];
  }
}
