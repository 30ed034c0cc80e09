import { useLiveTick } from '../live';
import { Proposal } from '../model';
import { link } from '../route';
import { Badge, Empty, Head, More, Problem, Section, figure, time } from '../ui';
import { useApi } from '../use-api';
import { useList } from '../use-list';

const TOPICS = ['staging.events'];

/** The expected effect as numbers: what the proposal promises, before anything is measured. */
const expectedText = (expected: Record<string, number>): string =>
  Object.entries(expected)
    .map(([name, value]) => `${name} ${figure(value)}`)
    .join(', ');

function ProposalDetail({ id, stack }: { id: string; stack: string }) {
  const proposal = useApi<Proposal>(`/v1/proposals/${encodeURIComponent(id)}`, useLiveTick(TOPICS, stack));
  const current = proposal.data;
  return (
    <>
      <p>
        <a href={link('proposals')}>← proposals</a>
      </p>
      <Problem error={proposal.error} />
      {current ? (
        <Section testId="proposal-detail" title={<>{current.title} <Badge value={current.status} /></>}>
          <p>
            {current.kind} for {current.component} in {current.environment}, by {current.createdBy}, {time(current.createdAt)}: {current.reason}
          </p>
          <h3>Change</h3>
          <pre>{[current.change['up'], current.change['down'] ? `-- rollback: ${String(current.change['down'])}` : ''].filter(Boolean).join('\n')}</pre>
          <h3>Evidence</h3>
          <p>evaluated by {current.evidence.path ?? '-'}; expected: {expectedText(current.expected)}</p>
          <table>
            <Head columns={['statement', 'calls', 'mean ms']} />
            <tbody>
              {(current.evidence.statements ?? []).map((statement) => (
                <tr key={statement.query} data-testid="proposal-statement">
                  <td>
                    <code>{statement.query}</code>
                  </td>
                  <td>{statement.calls ?? '-'}</td>
                  <td>{figure(statement.meanExecTimeMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Staging</h3>
          {current.staging ? <pre>{JSON.stringify(current.staging, null, 2)}</pre> : <Empty>Not staged yet.</Empty>}
          <h3>Observed after promotion</h3>
          {current.observed ? <pre>{JSON.stringify(current.observed, null, 2)}</pre> : <Empty>Not promoted.</Empty>}
          <h3>Lifecycle</h3>
          <table>
            <Head columns={['at', 'move', 'by', 'why']} />
            <tbody>
              {(current.transitions ?? []).map((transition) => (
                <tr key={`${transition.at}-${transition.to}`}>
                  <td>{time(transition.at)}</td>
                  <td>
                    {transition.from ?? '·'} → <Badge value={transition.to} />
                  </td>
                  <td>{transition.actor}</td>
                  <td>{transition.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
    </>
  );
}

/** Proposals for the stack, newest first: what Strata predicts should change, why, and how far each has got. */
export function ProposalsPage({ stack, id }: { stack: string; id: string | null }) {
  const tick = useLiveTick(TOPICS, stack);
  const proposals = useList<Proposal>(id ? null : `/v1/proposals?stack=${encodeURIComponent(stack)}`, tick, { step: 50, maxLimit: 500, paged: true });
  if (id) return <ProposalDetail id={id} stack={stack} />;
  return (
    <Section title={`Proposals · ${stack}`} testId="proposals">
      <Problem error={proposals.error} />
      {proposals.data?.length === 0 ? <Empty>No proposal yet: POST /v1/proposals/indexes asks the index advisor.</Empty> : null}
      {proposals.data && proposals.data.length > 0 ? (
        <table>
          <Head columns={['proposal', 'kind', 'environment', 'status', 'expected', 'why', 'made']} />
          <tbody>
            {proposals.data.map((proposal) => (
              <tr key={proposal.id} data-testid="proposal-row">
                <td>
                  <a href={link('proposals', proposal.id)}>{proposal.title}</a>
                </td>
                <td>{proposal.kind}</td>
                <td>{proposal.environment}</td>
                <td>
                  <Badge value={proposal.status} />
                </td>
                <td>{expectedText(proposal.expected)}</td>
                <td>{proposal.reason}</td>
                <td>{time(proposal.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <More list={proposals} noun="proposals" />
    </Section>
  );
}
