import { useLiveTick } from '../live';
import { Rollout, Transition } from '../model';
import { link } from '../route';
import { stepNumber, transitionStep } from '../steps';
import { Badge, Empty, Head, More, Problem, Section, WeightBar, time } from '../ui';
import { useApi } from '../use-api';
import { useList } from '../use-list';
import { JudgedMetric, readVerdict } from '../verdicts';

function Verdict({ reason, judged }: { reason: string; judged: JudgedMetric[] | null | undefined }) {
  const verdict = readVerdict(reason, judged);
  if (verdict.outcome === null) return <span>{reason}</span>;
  return (
    <div className="verdict" data-testid="verdict">
      <Badge value={verdict.outcome} />
      <ul>
        {verdict.findings.map((finding, index) => (
          <li key={index} className={finding.regression ? 'regression' : ''}>
            <strong>{finding.label}</strong>
            {finding.text ? `: ${finding.text}` : ''}
            {finding.pValues.map((pValue) => (
              <span key={pValue} className="p-value" data-testid="p-value">
                {pValue}
              </span>
            ))}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Steps({ rollout }: { rollout: Rollout }) {
  const done = (position: number) => rollout.phase === 'promoted' || position < rollout.stepIndex;
  return (
    <ol className="steps">
      {rollout.steps.map((step, position) => (
        <li key={position} className={done(position) ? 'done' : position === rollout.stepIndex ? 'current' : ''}>
          {step}
        </li>
      ))}
    </ol>
  );
}

function RolloutDetail({ id, stack }: { id: string; stack: string }) {
  const tick = useLiveTick(['routing.events'], stack);
  const rollout = useApi<Rollout>(`/v1/rollouts/${encodeURIComponent(id)}`, tick);
  const transitions = useApi<Transition[]>(`/v1/rollouts/${encodeURIComponent(id)}/transitions`, tick);
  const current = rollout.data;
  return (
    <>
      <p>
        <a href={link('rollouts')}>← rollouts</a>
      </p>
      <Problem error={rollout.error ?? transitions.error} />
      {current ? (
        <Section testId="rollout-detail" title={<>{current.name} <Badge value={current.phase} /></>}>
          <p>
            {current.environment}: canary <code>{current.versionGroup}</code> against stable <code>{current.baselineConfig ?? '-'}</code>, step {stepNumber(current.stepIndex, current.steps.length)} of {current.steps.length}
            {current.reason ? ` — ${current.reason.slice(0, 160)}` : ''}
          </p>
          <WeightBar canary={current.canaryWeight} />
          <h3>Steps</h3>
          <Steps rollout={current} />
          <h3>Transitions and the judge's verdicts</h3>
          <table>
            <Head columns={['at', 'phase', 'step', 'weight', 'by', 'reason']} />
            <tbody>
              {[...(transitions.data ?? [])].reverse().map((transition, index) => (
                <tr key={index}>
                  <td>{time(transition.at)}</td>
                  <td>
                    {transition.from ?? '·'} → <Badge value={transition.to} />
                  </td>
                  <td>{transitionStep(transition, current.steps.length)}</td>
                  <td>{transition.canaryWeight} %</td>
                  <td>{transition.actor}</td>
                  <td className="reason">
                    <Verdict reason={transition.reason} judged={transition.judgedMetrics} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
    </>
  );
}

/** Rollouts of the stack, newest first, with their live canary weight; one of them in full. */
export function RolloutsPage({ stack, id }: { stack: string; id: string | null }) {
  const tick = useLiveTick(['routing.events'], stack);
  // An unpaged list (a plain array, at most 500: RolloutListQueryDto's limit): 50 more on demand, and a note once cut at 500.
  const rollouts = useList<Rollout>(id ? null : `/v1/rollouts?stack=${encodeURIComponent(stack)}`, tick, { step: 50, maxLimit: 500, paged: false });
  if (id) return <RolloutDetail id={id} stack={stack} />;
  return (
    <Section title={`Rollouts · ${stack}`} testId="rollouts">
      <Problem error={rollouts.error} />
      {rollouts.data?.length === 0 ? <Empty>No rollout yet: strata rollout create …</Empty> : null}
      <table>
        <tbody>
          {(rollouts.data ?? []).map((rollout) => (
            <tr key={rollout.id} data-testid="rollout-row">
              <td>
                <a href={link('rollouts', rollout.id)}>{rollout.name}</a>
              </td>
              <td>{rollout.environment}</td>
              <td>
                <code>{rollout.versionGroup}</code>
              </td>
              <td>
                <Badge value={rollout.phase} />
              </td>
              <td>
                step {stepNumber(rollout.stepIndex, rollout.steps.length)}/{rollout.steps.length}
              </td>
              <td className="wide">
                <WeightBar canary={rollout.canaryWeight} />
              </td>
              <td>{time(rollout.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <More list={rollouts} noun="rollouts" />
    </Section>
  );
}
