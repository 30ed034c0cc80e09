import { useLiveTick } from '../live';
import { RollbackTrigger, Stack, TriggerFiring } from '../model';
import { link } from '../route';
import { Badge, Empty, Head, Problem, Section, time } from '../ui';
import { useApi } from '../use-api';

const scopeText = (scope: Record<string, string> | undefined): string =>
  scope && Object.keys(scope).length > 0 ? Object.entries(scope).map(([key, value]) => `${key} ${value}`).join(', ') : 'every canary and group';

/** One environment's rollback triggers, as declared, and what they fired: evidence, action, outcome, the backward execution. */
function EnvironmentTriggers({ stack, environment }: { stack: string; environment: string }) {
  const tick = useLiveTick(['rollback.events'], stack);
  const base = `/v1/stacks/${encodeURIComponent(stack)}/environments/${encodeURIComponent(environment)}`;
  const triggers = useApi<RollbackTrigger[]>(`${base}/rollback-triggers`, tick);
  const firings = useApi<TriggerFiring[]>(`${base}/trigger-firings`, tick);
  return (
    <Section title={environment} testId={`triggers-${environment}`}>
      <Problem error={triggers.error ?? firings.error} />
      {triggers.data?.length === 0 ? <Empty>No rollback trigger: a RollbackTrigger manifest or PUT {base}/rollback-triggers/&lt;name&gt;.</Empty> : null}
      {triggers.data && triggers.data.length > 0 ? (
        <table>
          <Head columns={['trigger', 'when', 'scope', 'action', 'last fired']} />
          <tbody>
            {triggers.data.map((trigger) => (
              <tr key={trigger.name} data-testid="trigger">
                <td>{trigger.name}</td>
                <td>
                  <code>{trigger.spec.when}</code>
                  {trigger.spec.for ? ` for ${trigger.spec.for}` : ''}
                </td>
                <td>{trigger.rollout ? `rollout ${trigger.rollout}` : scopeText(trigger.spec.scope)}</td>
                <td>
                  {trigger.spec.action ?? 'abort'}
                  {trigger.spec.dryRun ? ' (dry run)' : ''}
                </td>
                <td>{time(trigger.lastFiredAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h3>Firings</h3>
      {firings.data?.length === 0 ? <Empty>None fired yet.</Empty> : null}
      {firings.data && firings.data.length > 0 ? (
        <table>
          <Head columns={['at', 'trigger', 'status', 'what it saw', 'what it did', 'execution']} />
          <tbody>
            {firings.data.map((firing) => (
              <tr key={firing.id} data-testid="trigger-firing">
                <td>{time(firing.firedAt)}</td>
                <td>{firing.trigger}</td>
                <td>
                  <Badge value={firing.status} />
                </td>
                <td>{firing.evidence}</td>
                <td>{firing.outcome}</td>
                <td>{firing.executionId ? <a href={link('executions', firing.executionId)}>{firing.executionId.slice(0, 8)}</a> : '-'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}

/** Rollback triggers and their firings, for every environment of the stack. */
export function TriggersPage({ stack }: { stack: Stack }) {
  return (
    <>
      <h1>Rollback triggers · {stack.name}</h1>
      {stack.environments.map((environment) => (
        <EnvironmentTriggers key={environment.name} stack={stack.name} environment={environment.name} />
      ))}
    </>
  );
}
