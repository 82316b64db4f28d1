// Rules stage: image-tag-pinned, every image the release runs names a fixed version (a tag other than latest, or a digest).
import { agentNodeType, componentWorkload, containers, imageTag, isManager, isTestHook, isWorkload } from '../../model/manifests.js';
import type { ContainerRef } from '../../model/manifests.js';
import type { Path } from '../../model/path.js';
import type { K8sObject, ManifestModel, ValuesModel } from '../../model/types.js';

import { imageName, mainContainer } from '../../model/versions.js';
import type { Anchor, RuleContext } from '../types.js';
import { defineRule } from '../types.js';
import { conditionEnabled, str } from '../util.js';

/** The tag problem of an image reference, or undefined when it is pinned (`@sha256:` digests count). */
function unpinned(image: string): { repository: string; tag: string } | undefined {
  const ref = imageTag(image.trim());
  if (ref.digest) return undefined;
  if (ref.tag === undefined || ref.tag === '') return { repository: ref.repo, tag: '(none)' };
  if (ref.tag.toLowerCase() === 'latest') return { repository: ref.repo, tag: ref.tag };
  return undefined;
}

function report(ctx: RuleContext, image: string, subject: string, at: Anchor): void {
  const u = unpinned(image);
  if (u) ctx.report({ messageId: 'unpinned', data: { ...u, key: subject.startsWith('image:') ? 'its tag' : subject }, subject, at });
}

interface ValuesImage {
  /** Deployment condition of the component. */
  condition: Path;
  repository: Path;
  defaultRepository: string;
  tag: Path;
  /** Subchart keys we have not seen in a render: only a tag the user set is evidence. */
  onlyIfUserSet?: boolean;
}

const VALUES_IMAGES: ValuesImage[] = [
  { condition: ['deployments', 'manager'], repository: ['images', 'manager', 'repository'], defaultRepository: 'imply/manager', tag: ['images', 'manager', 'tag'] },
  { condition: ['deployments', 'agents'], repository: ['images', 'agent', 'repository'], defaultRepository: 'imply/agent', tag: ['images', 'agent', 'tag'] },
  // Bundled MySQL subchart: `image: "{{ .Values.image }}:{{ .Values.imageTag }}"` (features.rendered.yaml: mysql:5.7.39).
  { condition: ['deployments', 'mysql'], repository: ['mysql', 'image'], defaultRepository: 'mysql', tag: ['mysql', 'imageTag'], onlyIfUserSet: true },
  { condition: ['deployments', 'zookeeper'], repository: ['zookeeper', 'image', 'repository'], defaultRepository: 'zookeeper', tag: ['zookeeper', 'image', 'tag'], onlyIfUserSet: true },
  { condition: ['deployments', 'minio'], repository: ['minio', 'image', 'repository'], defaultRepository: 'minio/minio', tag: ['minio', 'image', 'tag'], onlyIfUserSet: true },
];

function checkValues(v: ValuesModel, ctx: RuleContext): void {
  for (const img of VALUES_IMAGES) {
    if (!conditionEnabled(v, img.condition)) continue;
    // Subchart tags default to pinned releases (mysql 5.7.14, zookeeper 3.7.1, a dated MinIO release).
    if (img.onlyIfUserSet && !v.userSet(img.tag)) continue;
    // `null` deletes the parent chart's default, so the subchart's own (pinned) default applies.
    if (img.onlyIfUserSet && v.get(img.tag) === undefined) continue;
    const repository = str(v.get(img.repository)) ?? img.defaultRepository;
    const tag = str(v.get(img.tag));
    // The chart renders "<repository>:<tag>", so an empty tag is an image without a tag.
    const image = tag ? `${repository}:${tag}` : repository;
    report(ctx, image, img.tag.join('.'), { values: img.tag });
  }
}

function samePlace(a: ContainerRef | undefined, b: ContainerRef): boolean {
  return a !== undefined && a.path.join('/') === b.path.join('/');
}

/** The values key that sets a container's image tag, or `image:<repository>` for images no values key names. */
function subjectOf(m: ManifestModel, o: K8sObject, c: ContainerRef, image: string): string {
  const name = imageName(image);
  if (isManager(o) && samePlace(mainContainer(o), c)) return 'images.manager.tag';
  if (agentNodeType(o) !== undefined) {
    // The agent image runs the main container and the `configure-sysctl` init container.
    const main = mainContainer(o)?.image;
    if (main && imageTag(main).repo === imageTag(image).repo) return 'images.agent.tag';
  }
  if (name === 'mysql' && componentWorkload(m, 'mysql') === o) return 'mysql.imageTag';
  if (name === 'zookeeper' && componentWorkload(m, 'zookeeper') === o) return 'zookeeper.image.tag';
  if (name === 'minio' && componentWorkload(m, 'minio') === o) return 'minio.image.tag';
  return `image:${imageTag(image).repo}`;
}

export default defineRule({
  meta: {
    id: 'image-tag-pinned',
    title: 'Images pinned to a version',
    severity: 'warning',
    category: 'versions',
    inputs: ['values', 'manifest'],
    rationale:
      'An image without a tag or tagged `latest` changes under the release: a pod rescheduled tomorrow may run another Manager, agent or database version than its peers, and a rollback does not restore the old one. Imply\'s guide pins its images (FROM imply/manager:2024.06). Values: images.manager.tag, images.agent.tag, and the bundled subcharts\' tags the user set (mysql.imageTag, zookeeper.image.tag, minio.image.tag) while those subcharts are deployed. Manifests: every container and init container of the workloads (Helm test hooks excluded). A digest (@sha256:) counts as pinned.',
    fix: 'Set the image tag to a fixed release (e.g. images.manager.tag: "2023.03.1") or reference the image by digest.',
    seed: 'FROM imply/manager:2024.06',
    subject: 'the values key of the tag (images.manager.tag, images.agent.tag, mysql.imageTag, zookeeper.image.tag, minio.image.tag), else image:<repository>',
    messages: {
      unpinned: 'The {{repository}} image is not pinned to a version (tag: {{tag}}); pods may run different versions over time. Set {{key}} to a fixed release or use a digest.',
    },
    tags: ['images', 'reproducibility'],
  },
  check(model, ctx) {
    if (model.values) checkValues(model.values, ctx);
    const m = model.manifests;
    if (!m) return;
    for (const o of m.objects) {
      if (!isWorkload(o) || isTestHook(o)) continue;
      for (const c of containers(o)) {
        if (c.image === undefined) continue;
        report(ctx, c.image, subjectOf(m, o, c, c.image), { object: o, path: [...c.path, 'image'] });
      }
    }
  },
});
