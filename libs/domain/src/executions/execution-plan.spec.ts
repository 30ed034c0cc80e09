import { ExecutionMember, PlannedStep, ROLLBACK_LAYER_ORDER, dependencyOrder, planDeploy, planRollback } from './execution-plan';

const member = (component: string, type: string, version: string, ...dependsOn: string[]): ExecutionMember => ({
  component,
  type,
  version,
  dependencies: dependsOn.map((dependency) => ({ component: dependency, range: '*' })),
});

const v1 = [member('db', 'db-schema', '1.0.0'), member('api', 'app', '1.0.0', 'db', 'contract'), member('edge', 'lb-rule', '1.0.0', 'api'), member('netpol', 'network-policy', '1.0.0'), member('contract', 'api-contract', '1.0.0')];
const v2 = v1.map((entry) => ({ ...entry, version: '2.0.0' }));
const describe_ = (steps: PlannedStep[]) => steps.map((step) => `${step.action} ${step.component}${step.toVersion ? `@${step.toVersion}` : ''}`);

describe(planDeploy.name, () => {
  it('applies every changed member, providers first and the schema before the app that needs it, and moves traffic last', () => {
    const outcome = planDeploy({ toVersionGroup: 'g2', fromVersionGroup: 'g1', members: v2, deployed: v1 });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(describe_(outcome.plan.steps)).toEqual(['apply db@2.0.0', 'apply contract@2.0.0', 'apply netpol@2.0.0', 'apply api@2.0.0', 'apply edge@2.0.0', 'traffic g2@g2']);
    expect(outcome.plan.steps.map((step) => step.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(outcome.plan.steps[0]).toMatchObject({ fromVersion: '1.0.0', toVersion: '2.0.0', type: 'db-schema' });
  });

  it('leaves members already at their version alone, and applies everything on a first deploy', () => {
    const partly = [...v1.filter((entry) => entry.component !== 'api'), member('api', 'app', '1.1.0', 'db')];
    const outcome = planDeploy({ toVersionGroup: 'g1b', fromVersionGroup: 'g1', members: partly, deployed: v1 });
    expect(outcome.ok && describe_(outcome.plan.steps)).toEqual(['apply api@1.1.0', 'traffic g1b@g1b']);
    const first = planDeploy({ toVersionGroup: 'g1', fromVersionGroup: null, members: v1, deployed: [] });
    expect(first.ok && first.plan.steps.filter((step) => step.action === 'apply').every((step) => step.fromVersion === null)).toBe(true);
    expect(first.ok && first.plan.steps).toHaveLength(6);
  });

  it('refuses members that depend on each other in a cycle, naming them', () => {
    const outcome = planDeploy({ toVersionGroup: 'g', fromVersionGroup: null, members: [member('a', 'app', '1.0.0', 'b'), member('b', 'app', '1.0.0', 'a'), member('c', 'app', '1.0.0')], deployed: [] });
    expect(outcome).toEqual({ ok: false, message: 'no deploy order exists: a, b depend on each other in a cycle' });
  });

  it('gives the same plan whatever order the members come in', () => {
    const forward = planDeploy({ toVersionGroup: 'g2', fromVersionGroup: 'g1', members: v2, deployed: v1 });
    const reversed = planDeploy({ toVersionGroup: 'g2', fromVersionGroup: 'g1', members: [...v2].reverse(), deployed: [...v1].reverse() });
    expect(reversed).toEqual(forward);
  });
});

describe(planRollback.name, () => {
  it('moves traffic first, then takes the layers back app first and the schema last', () => {
    const outcome = planRollback({ toVersionGroup: 'g1', fromVersionGroup: 'g2', members: v1, deployed: v2 });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(describe_(outcome.plan.steps)).toEqual(['traffic g1@g1', 'revert api@1.0.0', 'revert edge@1.0.0', 'revert netpol@1.0.0', 'revert contract@1.0.0', 'revert db@1.0.0']);
    expect(outcome.plan.steps[1]).toMatchObject({ action: 'revert', fromVersion: '2.0.0', toVersion: '1.0.0' });
  });

  it('follows the layer order the design gives, plug-in types before infra-config and the schema', () => {
    expect(ROLLBACK_LAYER_ORDER).toEqual(['app', 'lb-rule', 'network-policy', 'api-contract', 'infra-config', 'db-schema']);
    const deployed = [member('db', 'db-schema', '2.0.0'), member('infra', 'infra-config', '2.0.0'), member('queue', 'kafka-topic', '2.0.0'), member('api', 'app', '2.0.0')];
    const outcome = planRollback({ toVersionGroup: 'g1', fromVersionGroup: 'g2', members: deployed.map((entry) => ({ ...entry, version: '1.0.0' })), deployed });
    expect(outcome.ok && describe_(outcome.plan.steps)).toEqual(['traffic g1@g1', 'revert api@1.0.0', 'revert queue@1.0.0', 'revert infra@1.0.0', 'revert db@1.0.0']);
  });

  it('takes back only what differs, reverts a component the group does not hold to nothing, and applies one it holds that is gone', () => {
    const deployed = [member('db', 'db-schema', '2.0.0'), member('api', 'app', '1.0.0'), member('cache', 'infra-config', '1.0.0')];
    const members = [member('db', 'db-schema', '1.0.0'), member('api', 'app', '1.0.0'), member('search', 'infra-config', '1.0.0')];
    const outcome = planRollback({ toVersionGroup: 'g1', fromVersionGroup: 'g2', members, deployed });
    expect(outcome.ok && describe_(outcome.plan.steps)).toEqual(['traffic g1@g1', 'revert cache', 'revert db@1.0.0', 'apply search@1.0.0']);
  });

  it('keeps the layer order even against a dependency across layers (an lb-rule that depends on its app)', () => {
    const outcome = planRollback({ toVersionGroup: 'g1', fromVersionGroup: 'g2', members: v1, deployed: v2 });
    expect(outcome.ok && outcome.plan.steps.findIndex((step) => step.component === 'api')).toBeLessThan(outcome.ok ? outcome.plan.steps.findIndex((step) => step.component === 'edge') : 0);
  });

  it('orders the members of one layer dependents first', () => {
    const deployed = [member('worker', 'app', '2.0.0', 'api'), member('api', 'app', '2.0.0'), member('web', 'app', '2.0.0', 'worker')];
    const outcome = planRollback({ toVersionGroup: 'g1', fromVersionGroup: 'g2', members: deployed.map((entry) => ({ ...entry, version: '1.0.0' })), deployed });
    expect(outcome.ok && describe_(outcome.plan.steps)).toEqual(['traffic g1@g1', 'revert web@1.0.0', 'revert worker@1.0.0', 'revert api@1.0.0']);
  });

  it('refuses a cycle among what it has to take back', () => {
    const deployed = [member('a', 'app', '2.0.0', 'b'), member('b', 'app', '2.0.0', 'a')];
    expect(planRollback({ toVersionGroup: 'g1', fromVersionGroup: 'g2', members: deployed.map((entry) => ({ ...entry, version: '1.0.0' })), deployed })).toEqual({
      ok: false,
      message: 'no rollback order exists: a, b depend on each other in a cycle',
    });
  });
});

describe(dependencyOrder.name, () => {
  it('ignores dependencies outside the set and on itself', () => {
    const outcome = dependencyOrder([member('a', 'app', '1', 'outside', 'a'), member('b', 'app', '1', 'a')], 'providers-first', () => 0);
    expect(outcome.ok && outcome.order.map((entry) => entry.component)).toEqual(['a', 'b']);
    const backward = dependencyOrder([member('a', 'app', '1'), member('b', 'app', '1', 'a')], 'dependents-first', () => 0);
    expect(backward.ok && backward.order.map((entry) => entry.component)).toEqual(['b', 'a']);
  });
});
