// Rules stage: value-type, a values key set to a value of the wrong type for the chart line.
import { CHART_LINES, schemaAt } from '../../model/chart.js';
import type { SchemaNode } from '../../model/chart.js';
import { formatPath, isMap } from '../../model/path.js';
import type { Path } from '../../model/path.js';
import type { ValuesModel } from '../../model/types.js';
import { defineRule } from '../types.js';
import type { ValuesFix } from '../types.js';
import { rawText, userValueRange, walkUserValues } from '../hygiene-util.js';

type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

const WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  object: 'a map',
  array: 'a list',
  null: 'empty',
};

/** Values with a closed set of meanings (seed L399-411 for druid.update; Kubernetes enums for the rest). */
const ENUMS: { path: RegExp; allowed: string[] }[] = [
  { path: /^druid\.update$/, allowed: ['disabled', 'rolling', 'hard'] },
  { path: /^images\.pullPolicy$/, allowed: ['Always', 'IfNotPresent', 'Never'] },
  { path: /^(manager|query)\.service\.type$/, allowed: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] },
  { path: /\.ingress(\.(pivot|router))?\.pathType$/, allowed: ['Exact', 'Prefix', 'ImplementationSpecific'] },
];

/**
 * Keys whose chart default is an empty map placeholder but whose documented form is a list: the values
 * file's comments show `tls:` as a list of `{hosts, secretName}`, and the chart renders the user's list
 * (EVIDENCE.md, features.rendered.yaml).
 */
const LIST_PLACEHOLDER = /^(manager\.ingress|query\.ingress\.(pivot|router))\.tls$/;

/** Ports the values file says to "Leave blank to not expose" (an empty string is falsy to `{{ if }}`). */
const BLANK_OK = /^query\.service\.(routerPort|pivotPort)$/;

function jsonType(v: unknown): JsonType {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  return 'string';
}

function typesOf(n: SchemaNode): string[] | undefined {
  if (n.type === undefined) return undefined;
  return Array.isArray(n.type) ? n.type : [n.type];
}

function accepts(types: string[], t: JsonType): boolean {
  if (types.includes(t)) return true;
  return t === 'integer' && types.includes('number');
}

/** The types a key has on every chart line that knows it; undefined when the lines disagree. */
function agreedTypes(line: ValuesModel['chartLine'], path: Path): string[] | undefined | 'disagree' {
  const mine = schemaAt(line, path);
  if (mine === undefined || mine === 'free') return undefined;
  const key = (n: SchemaNode) => JSON.stringify([...(typesOf(n) ?? ['(untyped)'])].sort());
  for (const other of CHART_LINES) {
    if (other === line) continue;
    const n = schemaAt(other, path);
    if (n === undefined || n === 'free') continue;
    if (key(n) !== key(mine)) return 'disagree';
  }
  return typesOf(mine);
}

const NUMERIC = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

function describe(v: unknown): string {
  const t = jsonType(v);
  if (t === 'string') return `the string ${JSON.stringify(v)}`;
  if (t === 'object') return 'a map';
  if (t === 'array') return 'a list';
  if (t === 'boolean') return `the boolean ${String(v)}`;
  return `the number ${String(v)}`;
}

export default defineRule({
  meta: {
    id: 'value-type',
    title: 'Values of the type the chart expects',
    severity: 'error',
    category: 'hygiene',
    inputs: ['values'],
    rationale:
      'Helm does not type-check values: a `deployments.*` condition that is not a real boolean leaves the subchart ON (Helm only honours true/false), a string "false" is true to `{{ if }}`, a replicaCount of "two" or a map where the chart expects a string renders a broken manifest. Imply\'s guide has operators set `deployments.*` to false for components running outside the cluster, so a quoted "false" silently keeps the quickstart component. Types come from the chart line\'s defaults and documented keys; a key whose type differs between chart lines is never reported, and a template string is valid wherever the chart passes the value through `tpl` (e.g. `manager.service.port`). A quoted number where a number is expected, and an unquoted number where a string is expected (an image tag 2023.10 is read as 2023.1), are warnings.',
    fix: 'Write the value with the type the chart expects: true/false without quotes for switches, plain numbers for counts and ports, quoted strings for versions and tags.',
    seed: 'deployments: Identifies the cluster components to install. By default, all are set to true. Set the value to false for components running outside the cluster.',
    subject: 'The values path of the mistyped key (e.g. `deployments.minio`, `master.replicaCount`).',
    messages: {
      wrongType: '{{subject}} must be {{expected}}, not {{actual}}. Set it to {{expected}}.',
      nonBooleanCondition:
        '{{subject}} must be the boolean true or false, not {{actual}}: Helm treats any other value as "on" and deploys the subchart. Write true or false without quotes.',
      quotedNumber: '{{subject}} expects {{expected}} but is the quoted string {{value}}; write the number without quotes.',
      unquotedNumber: '{{subject}} expects a string, but YAML reads the unquoted value as the number {{value}}{{lossy}}; quote it.',
      badEnum: '{{subject}} must be one of {{allowed}}, not {{value}}.',
    },
    fixable: true,
    tags: ['values', 'types'],
  },
  check(model, ctx) {
    const v = model.values;
    if (!v) return;
    walkUserValues(v, (path, value) => {
      const node = schemaAt(v.chartLine, path);
      if (node === 'free') return false;
      if (node === undefined) return false; // unknown-key's business
      if (value === null) return false; // a user null deletes the chart default (Helm)
      const types = agreedTypes(v.chartLine, path);
      const subject = formatPath(path);
      if (types === 'disagree' || types === undefined) return isMap(value) || Array.isArray(value);
      const t = jsonType(value);
      if (accepts(types, t)) {
        checkEnum(subject, value, path);
        // A number where a string is also fine can still lose digits (a version 2023.10 read as 2023.1).
        if ((t === 'number' || t === 'integer') && types.includes('string')) {
          const lossy = lossyText(v, path, value as number);
          if (lossy) ctx.report({ messageId: 'unquotedNumber', severity: 'warning', data: { subject, value: String(value), lossy }, subject, at: { values: path }, fix: quoteFix(v, path, value as number) });
        }
        return t === 'object' || t === 'array';
      }
      const expected = types.map((x) => WORDS[x] ?? x).join(' or ');
      if (value === '' && BLANK_OK.test(subject)) return false;
      if (t === 'string' && (types.includes('integer') || types.includes('number')) && NUMERIC.test((value as string).trim())) {
        const n = Number((value as string).trim());
        const fix = Number.isFinite(n) ? { description: `Write ${subject} as the number ${n}, without quotes.`, set: [{ path, value: n }] } : undefined;
        ctx.report({ messageId: 'quotedNumber', severity: 'warning', data: { subject, expected, value: JSON.stringify(value) }, subject, at: { values: path }, fix });
      } else if ((t === 'integer' || t === 'number') && types.includes('string')) {
        ctx.report({ messageId: 'unquotedNumber', severity: 'warning', data: { subject, value: String(value), lossy: lossyText(v, path, value as number) }, subject, at: { values: path }, fix: quoteFix(v, path, value as number) });
      } else if (t === 'array' && LIST_PLACEHOLDER.test(subject)) {
        return false;
      } else if (path.length === 2 && path[0] === 'deployments' && types.includes('boolean')) {
        // Only a string that spells a boolean has an unambiguous intent ("false" means off, as the user wrote it).
        const spelled = typeof value === 'string' ? /^(true|false)$/i.exec(value.trim())?.[1].toLowerCase() : undefined;
        const fix = spelled ? { description: `Write ${subject} as the boolean ${spelled}, without quotes.`, set: [{ path, value: spelled === 'true' }] } : undefined;
        ctx.report({ messageId: 'nonBooleanCondition', data: { subject, actual: describe(value) }, subject, at: { values: path }, fix });
      } else {
        ctx.report({ messageId: 'wrongType', data: { subject, expected, actual: describe(value) }, subject, at: { values: path } });
      }
      return false;
    });

    function checkEnum(subject: string, value: unknown, path: Path): void {
      if (typeof value !== 'string' || value.includes('{{')) return;
      const e = ENUMS.find((x) => x.path.test(subject));
      if (!e || e.allowed.includes(value)) return;
      ctx.report({ messageId: 'badEnum', data: { subject, allowed: e.allowed.join(', '), value: JSON.stringify(value) }, subject, at: { values: path } });
    }
  },
});

/** Quotes a number where the chart expects a string, keeping the digits the user typed (`2023.10`, not `2023.1`). */
function quoteFix(values: ValuesModel, path: Path, n: number): ValuesFix {
  const at = userValueRange(values, path);
  const raw = at ? rawText(at.source, at.range).trim() : '';
  const text = /^[-+]?[0-9][0-9._eE+-]*$/.test(raw) ? raw : String(n);
  return { description: `Quote ${formatPath(path)} as the string "${text}".`, set: [{ path, value: text }] };
}

/** ` (written 2023.10)` when the number Helm sees differs from what the user typed, else "". */
function lossyText(values: ValuesModel, path: Path, n: number): string {
  const at = userValueRange(values, path);
  if (!at) return '';
  const raw = rawText(at.source, at.range).trim();
  return raw !== '' && raw !== String(n) ? ` (written ${raw})` : '';
}
