import { describe, expect, it } from 'vitest';
import { demoFleet } from './demo-fleet';
import { parseScenario, planScenario, SCENARIO_NAMES } from './scenarios';

describe('planScenario', () => {
  const fleet = demoFleet(1);

  it('"all" injects every failure, its actions in call order', () => {
    const plan = planScenario('all', fleet, 120, 500);
    expect(plan.revoked).toMatchObject({ key: { id: 'anthropic-1' }, after: 6 });
    expect(plan.rateLimited.map(({ key }) => key.id)).toEqual([
      'anthropic-2',
      'gemini-1',
      'gemini-2',
      'gemini-3',
    ]);
    expect(plan.outages.map((outage) => [outage.provider, outage.atCall])).toEqual([
      ['anthropic', 36],
      ['openai', 48],
    ]);
    expect(plan.quota).toMatchObject({ key: { id: 'anthropic-3' }, atCall: 78 });
    expect(plan.actions.map((action) => action.atCall)).toEqual([36, 48, 78]);
    // Answers take time; errors do not (the model's first-token delay, not the key's latency).
    expect(plan.models.get('claude-sonnet-4-6')).toEqual({ firstTokenDelayMs: 500 });
    expect([...plan.keys.values()].every((behaviour) => behaviour.latencyMs === undefined)).toBe(true);
  });

  it('a named scenario injects only its own failure', () => {
    const revoked = planScenario('revoked', fleet, 40, 100);
    expect(revoked.revoked?.after).toBe(3);
    expect(revoked.actions).toEqual([]);
    expect(revoked.rateLimited).toEqual([]);
    expect(planScenario('quota', fleet, 40, 100).actions.map((action) => action.label)).toEqual([
      "anthropic-3's quota runs out",
    ]);
  });

  it('parses the known names only', () => {
    for (const name of SCENARIO_NAMES) expect(parseScenario(name)).toBe(name);
    expect(() => parseScenario('meteor')).toThrow(/unknown scenario/);
  });

  it('fake secrets are deterministic per seed and long enough to mask like real keys', () => {
    expect(demoFleet(1)[0]?.secret).toBe(fleet[0]?.secret);
    expect(demoFleet(2)[0]?.secret).not.toBe(fleet[0]?.secret);
    expect(fleet[0]?.secret).toMatch(/^sk-demo-anthropic-1-[0-9a-f]{24}$/);
  });
});
