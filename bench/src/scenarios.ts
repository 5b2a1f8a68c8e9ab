/**
 * The six scenarios. Each runs the contenders one at a time, each against a fresh emulator (so nothing one contender
 * leaves in flight reaches the next one's log), with a fixed number of calls and a hard deadline, and reads what
 * happened upstream from the emulator's request log.
 */
import { capacityPlan, limitedPlan, outagePlan, recoveryPlan, revokedPlan, runPlan } from './fault-plans.ts';
import { healthyScenario } from './healthy-scenario.ts';
import type { ScenarioResult } from './report.ts';
import type { ScenarioContext } from './scenario-kit.ts';

export { MODEL, type ScenarioContext } from './scenario-kit.ts';

export async function runScenarios(
  context: ScenarioContext,
  only: readonly string[] | undefined,
  onResult: (result: ScenarioResult) => void,
): Promise<void> {
  const want = (id: string) => only === undefined || only.includes(id);
  if (want('healthy')) {
    context.log('1. healthy keys');
    onResult(await healthyScenario(context));
  }
  const plans = [limitedPlan, recoveryPlan, capacityPlan, revokedPlan, outagePlan].map((plan) =>
    plan(context.scale),
  );
  for (const plan of plans) {
    if (!want(plan.id)) continue;
    context.log(plan.title);
    onResult(await runPlan(plan, context));
  }
}
