// Model tests: the druid adapter's parsers (properties, JVM and Druid sizes, Kubernetes quantities,
// ISO-8601 durations, quickstart host references) and its list mapping.
import { describe, expect, it } from 'vitest';
import { modelFromTexts } from '../../src/model/build.js';
import {
  agentEnvProperty,
  bundledServiceReferences,
  isIsoDuration,
  jvmFlags,
  jvmView,
  parseDruidBytes,
  parseJvmSize,
  parseProperty,
  parseQuantity,
  runtimePropertyLists,
  tierPathOfNodeType,
} from '../../src/model/druid.js';

describe('parseProperty', () => {
  it.each([
    ['druid.a=1', { kind: 'property', key: 'druid.a', value: '1' }],
    ['druid.a=b=c', { kind: 'property', key: 'druid.a', value: 'b=c' }],
    ['druid.a= 1', { kind: 'property', key: 'druid.a', value: '1' }],
    ['druid.a=', { kind: 'property', key: 'druid.a', value: '' }],
    ['# MinIO configurations', { kind: 'comment' }],
    ['   ', { kind: 'empty' }],
    ['druid.a 1', { kind: 'malformed' }],
    ['=1', { kind: 'malformed' }],
    ['druid a=1', { kind: 'malformed' }],
  ])('%j', (text, want) => {
    expect(parseProperty(text)).toEqual(want);
  });
});

describe('sizes', () => {
  it('JVM sizes are binary with k/m/g/t', () => {
    expect(parseJvmSize('4g')).toBe(4 * 2 ** 30);
    expect(parseJvmSize('1024M')).toBe(2 ** 30);
    expect(parseJvmSize('65536')).toBe(65536);
    for (const bad of ['4gb', '1.5g', '', 'g', '4 g']) expect(parseJvmSize(bad), bad).toBeUndefined();
  });
  it('Druid sizes: K/M/G decimal, KiB/MiB/GiB binary, case-insensitive', () => {
    expect(parseDruidBytes('50000000')).toBe(50_000_000);
    expect(parseDruidBytes('500MiB')).toBe(500 * 2 ** 20);
    expect(parseDruidBytes('2g')).toBe(2e9);
    expect(parseDruidBytes('1GB')).toBe(1e9);
    expect(parseDruidBytes('1kib')).toBe(1024);
    for (const bad of ['auto', '1.5g', '-1', '']) expect(parseDruidBytes(bad), bad).toBeUndefined();
  });
  it('Kubernetes quantities', () => {
    expect(parseQuantity('8G')).toBe(8e9);
    expect(parseQuantity('8Gi')).toBe(8 * 2 ** 30);
    expect(parseQuantity('1500M')).toBe(1.5e9);
    expect(parseQuantity('1e9')).toBe(1e9);
    expect(parseQuantity(1024)).toBe(1024);
    expect(parseQuantity('8GB')).toBeUndefined();
  });
});

describe('JVM flags', () => {
  it('reads heap and direct-memory flags, last one winning', () => {
    expect(jvmFlags('-server -Xms1g -Xmx2g -XX:MaxDirectMemorySize=3g -Duser.timezone=UTC').map((f) => [f.flag, f.bytes])).toEqual([
      ['xms', 2 ** 30],
      ['xmx', 2 * 2 ** 30],
      ['maxDirect', 3 * 2 ** 30],
    ]);
    expect(jvmFlags('-XX:MaxHeapSize=4g').map((f) => f.flag)).toEqual(['xmx']);
  });
  it('flags the seed\'s jvm.config.xms=-Xmx128m as a wrong key', () => {
    const [list] = runtimePropertyLists(modelFromTexts({ values: [{ path: 'v.yaml', text: 'druid:\n  commonRuntimeProperties: []\n  historicalRuntimeProperties:\n    - jvm.config.xms=-Xmx128m\n    - jvm.config.xmx=-Xmx1280m\n' }] })).filter((l) => l.subject === 'druid.historicalRuntimeProperties');
    const view = jvmView([list]);
    expect(view.issues.map((i) => [i.kind, i.key, i.token])).toEqual([['wrongKey', 'jvm.config.xms', '-Xmx128m']]);
    expect(view.service.xmx?.token).toBe('-Xmx1280m');
    expect(view.service.xms).toBeUndefined();
  });
});

describe('ISO-8601 durations', () => {
  it.each(['PT5M', 'PT2H', 'P1D', 'P1DT2H', 'PT0.5S', 'P2W', 'P1Y2M'])('%s is a duration', (s) => expect(isIsoDuration(s)).toBe(true));
  it.each(['ISO-8601_VALUE', '5m', 'P', 'PT', 'PT1.5H30M', '-PT5M', 'pt5m', ''])('%j is not', (s) => expect(isIsoDuration(s)).toBe(false));
});

describe('quickstart references', () => {
  it('matches the chart template whatever the release, the literal name only when known', () => {
    expect(bundledServiceReferences('druid.s3.endpoint.url=http://{{ .Release.Name }}-minio:9000', undefined)).toEqual(['minio']);
    expect(bundledServiceReferences('http://imply-minio:9000', undefined)).toEqual([]);
    expect(bundledServiceReferences('http://imply-minio:9000', 'imply')).toEqual(['minio']);
    expect(bundledServiceReferences('imply-zookeeper-headless.ns.svc:2181', 'imply')).toEqual(['zookeeper']);
    expect(bundledServiceReferences('http://my-imply-minio:9000', 'imply')).toEqual([]);
    expect(bundledServiceReferences('http://imply-minio-gateway:9000', 'imply')).toEqual([]);
  });
});

describe('agent env and tiers', () => {
  it('maps druid_<svc>_runtime_* like post-init-actions-k8s (case-insensitive, _ to .)', () => {
    expect(agentEnvProperty('druid_common_runtime_druid_host')).toEqual({ service: 'common', key: 'druid.host' });
    expect(agentEnvProperty('DRUID_MIDDLEMANAGER_RUNTIME_druid_worker_capacity')).toEqual({ service: 'middleManager', key: 'druid.worker.capacity' });
    expect(agentEnvProperty('pivot_config_ownhostname')).toBeUndefined();
  });
  it('additional data tiers follow dataTier1-3', () => {
    expect(tierPathOfNodeType('dataTier1')).toBe('dataTier1');
    expect(tierPathOfNodeType('dataTier4')).toBe('additionalDataTiers[0]');
    expect(tierPathOfNodeType('query')).toBe('query');
  });
});
