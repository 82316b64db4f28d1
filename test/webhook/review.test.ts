// review.ts (pure): the envelope, release membership, the warning caps, and the identity of a finding across
// inputs: an admission request gives the same rule id, message and fingerprint as the CLI on the rendered stream.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toK8sObject } from '../../src/model/manifests.js';
import { isMap } from '../../src/model/path.js';
import { parseYamlStream } from '../../src/model/yaml.js';
import { resolvePolicy } from '../../src/rules/policy.js';
import { BUILTIN_RULES } from '../../src/rules/registry.js';
import type { Finding } from '../../src/rules/types.js';
import { BadReviewError, WARNING_MAX, WARNINGS_TOTAL_MAX, auditAnnotationsFor, belongsToRelease, failureResponse, parseAdmissionReview, quickAnswer, review, warningsFor } from '../../src/webhook/review.js';
import { cli, findingsOf } from '../helpers/cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REF23 = path.resolve(ROOT, '../shared/reference/chart-2023.03.1');
const known = new Set(BUILTIN_RULES.map((r) => r.meta.id));
const policy = resolvePolicy('production', { cwd: ROOT, knownRuleIds: known, noConfig: true });
const NOW = new Date('2026-03-01T00:00:00Z');

type Obj = Record<string, any>;
const objectsOf = (file: string): Obj[] =>
  parseYamlStream(fs.readFileSync(path.join(REF23, file), 'utf8'))
    .map((d) => d.value)
    .filter((v): v is Obj => isMap(v));

describe('parseAdmissionReview', () => {
  const ok = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation: 'CREATE', object: { kind: 'Service' } } };
  it('reads a v1 request', () => {
    expect(parseAdmissionReview(ok)).toMatchObject({ uid: 'u', operation: 'CREATE', object: { kind: 'Service' }, oldObject: null, dryRun: false });
  });
  it.each([
    [null, 'body is not a JSON object'],
    [{ ...ok, apiVersion: 'admission.k8s.io/v1beta1' }, 'apiVersion must be admission.k8s.io/v1 (got "admission.k8s.io/v1beta1")'],
    [{ ...ok, kind: 'Review' }, 'kind must be AdmissionReview (got "Review")'],
    [{ ...ok, request: undefined }, 'request is missing'],
    [{ ...ok, request: { operation: 'CREATE' } }, 'request.uid must be a non-empty string'],
    [{ ...ok, request: { uid: 'u', operation: 'PATCH' } }, 'request.operation must be CREATE, UPDATE, DELETE or CONNECT (got "PATCH")'],
    [{ ...ok, request: { uid: 'u', operation: 'CREATE', object: [] } }, 'request.object must be an object'],
  ])('refuses %j', (body, msg) => {
    expect(() => parseAdmissionReview(body)).toThrow(BadReviewError);
    expect(() => parseAdmissionReview(body)).toThrow(msg);
  });
  it('quotes a huge value short: the 400 body and the bad-review log line stay small whatever was sent', () => {
    expect(() => parseAdmissionReview({ ...ok, apiVersion: 'v'.repeat(300_000) })).toThrow(`apiVersion must be admission.k8s.io/v1 (got "${'v'.repeat(79)}... (300002 characters))`);
    expect(() => parseAdmissionReview({ ...ok, request: { uid: 'u', operation: 'X'.repeat(1000) } })).toThrow(/\(got "X{79}\.\.\. \(1002 characters\)\)$/);
  });
});

describe('release membership', () => {
  it('main-chart objects by app.kubernetes.io/instance, subchart objects by release, Secrets by the policy names', () => {
    const o = (kind: string, name: string, labels: Record<string, string> = {}) => toK8sObject({ apiVersion: 'v1', kind, metadata: { name, labels } });
    expect(belongsToRelease(o('Service', 'imply-query', { 'app.kubernetes.io/instance': 'imply' }), policy)).toBe(true);
    expect(belongsToRelease(o('Service', 'imply-zookeeper', { release: 'imply', app: 'zookeeper' }), policy)).toBe(true);
    expect(belongsToRelease(o('ConfigMap', 'imply-scripts'), policy)).toBe(false);
    expect(belongsToRelease(o('Secret', 'imply-ca'), policy)).toBe(true);
    expect(belongsToRelease(o('Secret', 'imply-auth-token'), policy)).toBe(true);
    expect(belongsToRelease(o('Secret', 'imply-secrets'), policy)).toBe(true);
    expect(belongsToRelease(o('Secret', 'corp-ca'), policy)).toBe(false);
    const custom = { ...policy, settings: { ...policy.settings, secretNames: { ...policy.settings.secretNames, ca: 'corp-ca' } } };
    expect(belongsToRelease(o('Secret', 'corp-ca'), custom)).toBe(true);
    expect(belongsToRelease(o('Secret', 'imply-ca'), custom)).toBe(false);
  });

  it('quickAnswer allows DELETE, CONNECT, objectless and foreign requests without linting', () => {
    const allowed = (uid: string) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } });
    expect(quickAnswer({ uid: 'a', operation: 'DELETE', oldObject: { kind: 'Deployment' } }, policy)).toEqual(allowed('a'));
    expect(quickAnswer({ uid: 'b', operation: 'CONNECT' }, policy)).toEqual(allowed('b'));
    expect(quickAnswer({ uid: 'c', operation: 'CREATE', object: { kind: 'Deployment', metadata: { name: 'x' } } }, policy)).toEqual(allowed('c'));
    expect(quickAnswer({ uid: 'd', operation: 'CREATE', object: { kind: 'Deployment', metadata: { name: 'x', labels: { release: 'imply' } } } }, policy)).toBeUndefined();
  });
});

describe('warnings and the audit annotation', () => {
  const finding = (i: number, message: string): Finding => ({
    ruleId: `rule-${i}`,
    messageId: 'm',
    severity: 'warning',
    message,
    fix: 'fix',
    subject: `s${i}`,
    fingerprint: i.toString(16).padStart(32, '0'),
    related: [],
  });

  it('keeps each warning within 120 characters and the total under the cap', () => {
    const many = Array.from({ length: 80 }, (_, i) => finding(i, 'x'.repeat(300)));
    const w = warningsFor(many);
    for (const x of w) expect(x.length).toBeLessThanOrEqual(WARNING_MAX);
    expect(w.slice(0, -1).join('').length).toBeLessThanOrEqual(WARNINGS_TOTAL_MAX);
    expect(w.at(-1)).toMatch(/^\[imply-lint\] \d+ more finding\(s\) not shown$/);
    expect(w[0]).toBe(`[rule-0] ${'x'.repeat(WARNING_MAX - 10)}…`);
  });

  it('names rule, severity and fingerprint of live findings in the audit annotation', () => {
    const f = [finding(1, 'a'), { ...finding(2, 'b'), suppressed: { kind: 'annotation' as const, reason: 'r' } }];
    expect(auditAnnotationsFor(f)).toEqual({ findings: `rule-1/warning/${'1'.padStart(32, '0')}` });
    expect(auditAnnotationsFor([])).toBeUndefined();
  });

  it('failureResponse answers per --on-error, always echoing the uid', () => {
    expect(failureResponse('u', 'allow', 'rules timed out').response).toEqual({ uid: 'u', allowed: true, warnings: ['[imply-lint] not checked: rules timed out'] });
    expect(failureResponse('u', 'deny', 'rules timed out').response).toMatchObject({ uid: 'u', allowed: false, status: { code: 500, reason: 'InternalError' } });
  });
});

describe('request data is data', () => {
  it('a label named __proto__ stays a label and touches no prototype', () => {
    const raw = JSON.parse('{"apiVersion":"v1","kind":"Service","metadata":{"name":"x","labels":{"__proto__":"evil","release":"imply"},"annotations":{"constructor":"c"}}}') as Obj;
    const o = toK8sObject(raw);
    expect(Object.getPrototypeOf(o.labels)).toBe(Object.prototype);
    expect(Object.keys(o.labels)).toEqual(['__proto__', 'release']);
    expect(Object.getOwnPropertyDescriptor(o.labels, '__proto__')?.value).toBe('evil');
    expect(o.annotations.constructor).toBe('c');
    expect(({} as Obj).evil).toBeUndefined();
  });
});

describe('same finding from an admission request as from the rendered stream', () => {
  it('rule id, message and fingerprint match the CLI on quickstart.rendered.yaml', async () => {
    const file = path.join(REF23, 'quickstart.rendered.yaml');
    const r = await cli([file, '--format', 'json', '--no-config'], { cwd: ROOT });
    const stream = findingsOf(r.stdout);
    let compared = 0;
    for (const obj of objectsOf('quickstart.rendered.yaml')) {
      const out = review({ uid: 'u', operation: 'CREATE', object: obj, namespace: 'imply' }, { policy, rules: BUILTIN_RULES, mode: 'enforce', now: NOW });
      for (const f of out.result?.findings ?? []) {
        const same = stream.find((s) => s.ruleId === f.ruleId && s.fingerprint === f.fingerprint);
        expect(same, `${obj.kind}/${obj.metadata.name} ${f.ruleId}`).toBeDefined();
        expect((same as unknown as { message: string }).message).toBe(f.message);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('production objects have no error-level finding; quickstart components do', () => {
    const errorsOf = (file: string) =>
      objectsOf(file).flatMap((obj) => {
        const out = review({ uid: 'u', operation: 'CREATE', object: obj, namespace: 'imply' }, { policy, rules: BUILTIN_RULES, mode: 'enforce', now: NOW });
        return out.decision === 'denied' ? [`${obj.kind}/${obj.metadata.name}`] : [];
      });
    expect(errorsOf('production.rendered.yaml')).toEqual([]);
    expect(errorsOf('quickstart.rendered.yaml')).toEqual(expect.arrayContaining(['Deployment/imply-minio', 'StatefulSet/imply-zookeeper', 'Deployment/imply-manager', 'Secret/imply-minio']));
  });
});
