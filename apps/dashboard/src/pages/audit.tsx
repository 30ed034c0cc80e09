import { useState } from 'react';
import { query } from '../api';
import { LIVE_TOPICS_ALL, useLiveTick } from '../live';
import { AuditEntry } from '../model';
import { Head, More, Problem, Section, time } from '../ui';
import { useList } from '../use-list';

/** Every accepted write of every service, newest first, filtered by principal and action prefixes. */
export function AuditPage({ stack }: { stack: string }) {
  const [principal, setPrincipal] = useState('');
  const [action, setAction] = useState('');
  const audit = useList<AuditEntry>(`/v1/audit${query({ principal, action })}`, useLiveTick(LIVE_TOPICS_ALL, stack, 1_000), { step: 100, maxLimit: 500, paged: true });
  return (
    <Section title="Audit" testId="audit">
      <div className="controls">
        <input aria-label="principal" placeholder="principal" value={principal} onChange={(event) => setPrincipal(event.target.value)} />
        <input aria-label="action" placeholder="action, e.g. POST /v1/stacks" value={action} onChange={(event) => setAction(event.target.value)} />
      </div>
      <Problem error={audit.error} />
      <table>
        <Head columns={['at', 'service', 'principal', 'role', 'action', 'target', 'status']} />
        <tbody>
          {(audit.data ?? []).map((entry) => (
            <tr key={`${entry.service}/${entry.id}`} data-testid="audit-row">
              <td>{time(entry.at)}</td>
              <td>{entry.service}</td>
              <td>{entry.principal}</td>
              <td>{entry.role}</td>
              <td>
                <code>{entry.action}</code>
              </td>
              <td>{entry.target}</td>
              <td>{entry.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <More list={audit} noun="entries" />
    </Section>
  );
}
