import { useLiveTick } from '../live';
import { Execution } from '../model';
import { link } from '../route';
import { Badge, Empty, Head, More, Problem, Section, time } from '../ui';
import { useApi } from '../use-api';
import { useList } from '../use-list';

function ExecutionDetail({ id, stack }: { id: string; stack: string }) {
  const execution = useApi<Execution>(`/v1/executions/${encodeURIComponent(id)}`, useLiveTick(['rollback.events'], stack));
  const current = execution.data;
  return (
    <>
      <p>
        <a href={link('executions')}>← executions</a>
      </p>
      <Problem error={execution.error} />
      {current ? (
        <Section testId="execution-detail" title={<>{current.kind} {current.fromVersionGroup ?? '∅'} → {current.versionGroup} <Badge value={current.status} /></>}>
          <p>
            {current.stack}/{current.environment}, by {current.actor}, {time(current.createdAt)}
            {current.reason ? `: ${current.reason}` : ''}
          </p>
          <table>
            <Head columns={['#', 'layer', 'component', 'action', 'versions', 'status', 'started', 'finished', 'error']} />
            <tbody>
              {current.steps.map((step) => (
                <tr key={step.index} data-testid="execution-step">
                  <td>{step.index + 1}</td>
                  <td>{step.type}</td>
                  <td>{step.component}</td>
                  <td>{step.action}</td>
                  <td>
                    {step.fromVersion ?? '∅'} → {step.toVersion ?? '∅'}
                  </td>
                  <td>
                    <Badge value={step.status} />
                  </td>
                  <td>{time(step.startedAt)}</td>
                  <td>{time(step.finishedAt)}</td>
                  <td className="problem">{step.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
    </>
  );
}

/** Deploy and rollback executions of the stack, newest first; one with its steps. */
export function ExecutionsPage({ stack, id }: { stack: string; id: string | null }) {
  const tick = useLiveTick(['rollback.events'], stack);
  const executions = useList<Execution>(id ? null : `/v1/executions?stack=${encodeURIComponent(stack)}`, tick, { step: 50, maxLimit: 500, paged: true });
  if (id) return <ExecutionDetail id={id} stack={stack} />;
  return (
    <Section title={`Executions · ${stack}`} testId="executions">
      <Problem error={executions.error} />
      {executions.data?.length === 0 ? <Empty>No deploy or rollback yet: strata deploy …</Empty> : null}
      <table>
        <tbody>
          {(executions.data ?? []).map((execution) => (
            <tr key={execution.id} data-testid="execution-row">
              <td>
                <a href={link('executions', execution.id)}>{execution.kind}</a>
              </td>
              <td>{execution.environment}</td>
              <td>
                {execution.fromVersionGroup ?? '∅'} → <code>{execution.versionGroup}</code>
              </td>
              <td>
                <Badge value={execution.status} />
              </td>
              <td>
                {execution.steps.filter((step) => step.status === 'succeeded').length}/{execution.steps.length} steps
              </td>
              <td>{time(execution.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <More list={executions} noun="executions" />
    </Section>
  );
}
