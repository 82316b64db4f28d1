// Model stage: assembles one DeploymentModel from parsed sources (values files, manifest streams,
// previous values, context). The CLI, the webhook, preflight and the tests all build models here.
import { buildManifestModel } from './manifests.js';
import { makeSource } from './source.js';
import { buildValuesModel } from './values.js';
import type { SetFlag } from './values.js';
import type { DeploymentModel, LiveFacts, ModelContext, SourceFile } from './types.js';

export interface ModelInput {
  /** `-f` files in order (values). */
  values?: SourceFile[];
  sets?: SetFlag[];
  /** Rendered manifest streams. */
  manifests?: SourceFile[];
  /** `--previous-values` files. */
  previousValues?: SourceFile[];
  /** Previous manifests (admission oldObject). */
  previousManifests?: SourceFile[];
  chartVersion?: string;
  /** A chart directory's own default values (imply-lint chart), with a label for provenance. */
  chartDefaults?: { values: Record<string, unknown>; label: string; file?: SourceFile };
  /** False at admission: one object, release-wide rules stay silent. */
  wholeStream?: boolean;
  live?: LiveFacts;
  context: ModelContext;
}

/** Builds the model. Values are built only when values files or --set flags are given. */
export function buildModel(input: ModelInput): DeploymentModel {
  const hasValues = (input.values?.length ?? 0) > 0 || (input.sets?.length ?? 0) > 0 || input.chartDefaults !== undefined;
  const values = hasValues ? buildValuesModel({ files: input.values ?? [], sets: input.sets, chartVersion: input.chartVersion, defaults: input.chartDefaults?.values, defaultsLabel: input.chartDefaults?.label, defaultsFile: input.chartDefaults?.file }) : undefined;
  const manifests = input.manifests && input.manifests.length > 0 ? buildManifestModel(input.manifests, input.context.releaseName, input.wholeStream ?? true) : undefined;
  let previous: DeploymentModel['previous'];
  if (input.previousValues?.length || input.previousManifests?.length) {
    previous = {
      values: input.previousValues?.length ? buildValuesModel({ files: input.previousValues, chartVersion: input.chartVersion ?? values?.chartVersion }) : undefined,
      manifests: input.previousManifests?.length ? buildManifestModel(input.previousManifests, input.context.releaseName, input.wholeStream ?? true) : undefined,
    };
  }
  const sources = [...(input.values ?? []), ...(input.manifests ?? []), ...(input.previousValues ?? [])];
  if (input.chartDefaults?.file && (input.values?.length ?? 0) === 0) sources.unshift(input.chartDefaults.file);
  const context = { ...input.context, releaseName: input.context.releaseName ?? manifests?.releaseName };
  return { values, manifests, previous, live: input.live, context, sources };
}

/** Convenience for tests and tools: a model from YAML texts. */
export function modelFromTexts(opts: {
  values?: { path: string; text: string }[];
  sets?: SetFlag[];
  manifests?: { path: string; text: string }[];
  previousValues?: { path: string; text: string }[];
  previousManifests?: { path: string; text: string }[];
  chartVersion?: string;
  context?: Partial<ModelContext>;
  wholeStream?: boolean;
  live?: LiveFacts;
}): DeploymentModel {
  return buildModel({
    values: opts.values?.map((v) => makeSource(v.path, v.text, 'values')),
    sets: opts.sets,
    manifests: opts.manifests?.map((m) => makeSource(m.path, m.text, 'manifest')),
    previousValues: opts.previousValues?.map((v) => makeSource(v.path, v.text, 'previous-values')),
    previousManifests: opts.previousManifests?.map((m) => makeSource(m.path, m.text, 'manifest')),
    chartVersion: opts.chartVersion,
    wholeStream: opts.wholeStream,
    live: opts.live,
    context: { now: new Date('2026-01-15T00:00:00Z'), ...opts.context },
  });
}
