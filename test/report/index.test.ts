import { afterEach, describe, expect, it, vi } from 'vitest';
import { FORMATS, isFormat, reporters } from '../../src/report/index.js';
import type { LintRun } from '../../src/report/types.js';
import { ruleDocUrl } from '../../src/report/types.js';
import { context, richRun } from '../fixtures/report/runs.js';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

describe('reporters', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('has one reporter per format', () => {
    expect([...FORMATS]).toEqual(['text', 'json', 'sarif', 'github', 'junit', 'html', 'codeclimate', 'policyreport', 'openreports']);
    expect(Object.keys(reporters).sort()).toEqual([...FORMATS].sort());
    expect(isFormat('sarif')).toBe(true);
    expect(isFormat('xml')).toBe(false);
  });

  it('are pure: they do not mutate the run, read the clock or print', () => {
    const run: LintRun = deepFreeze(richRun());
    const log = vi.spyOn(console, 'log');
    const err = vi.spyOn(console, 'error');
    const write = vi.spyOn(process.stdout, 'write');
    for (const f of FORMATS) {
      vi.useFakeTimers();
      vi.setSystemTime(new Date('2020-01-01T00:00:00Z'));
      const a = reporters[f](run, context());
      vi.setSystemTime(new Date('2031-06-30T12:34:56Z'));
      const b = reporters[f](run, context());
      vi.useRealTimers();
      expect(b, f).toBe(a);
      expect(a.length, f).toBeGreaterThan(0);
      expect(a.endsWith('\n'), f).toBe(true);
    }
    expect(log).not.toHaveBeenCalled();
    expect(err).not.toHaveBeenCalled();
    expect(write).not.toHaveBeenCalled();
  });

  it('ignore fail-on when choosing what to show (they never filter)', () => {
    const run = richRun();
    const both = (f: (typeof FORMATS)[number]) => [reporters[f](run, context({ failOn: 'none' })), reporters[f](run, context({ failOn: 'error' }))];
    const [jNone, jErr] = both('json').map((t) => JSON.parse(t));
    expect([jNone.policy.failOn, jErr.policy.failOn]).toEqual(['none', 'error']);
    delete jNone.policy.failOn;
    delete jErr.policy.failOn;
    expect(jNone).toEqual(jErr);
    const [sNone, sErr] = both('sarif').map((t) => JSON.parse(t));
    delete sNone.runs[0].properties.policy.failOn;
    delete sErr.runs[0].properties.policy.failOn;
    expect(sNone).toEqual(sErr);
    const [xNone, xErr] = both('junit').map((t) => t.replace(/<property name="failOn" value="[a-z]+"\/>/g, ''));
    expect(xNone).toBe(xErr);
    const [gNone, gErr] = both('github');
    expect(gNone).toBe(gErr);
    const [tNone, tErr] = both('text').map((t) => t.replace(/fail-on [a-z]+/, ''));
    expect(tNone).toBe(tErr);
  });

  it('build rule doc URLs from the base URL', () => {
    expect(ruleDocUrl({ docsBaseUrl: 'https://x.example/docs/rules/' }, 'tls-enabled')).toBe('https://x.example/docs/rules/tls-enabled.md');
  });
});
