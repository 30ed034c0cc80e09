import { useLiveTick } from '../live';
import { MapNode, Stack, VersionMap } from '../model';
import { link } from '../route';
import { Badge, Empty, Head, Problem, Section, time } from '../ui';
import { useApi } from '../use-api';

/** Layers in the order a deployment applies them (libs/rollback's forward order); others after, by name. */
const LAYER_ORDER = ['db-schema', 'network-policy', 'lb-rule', 'app', 'api-contract', 'infra-config'];
const layerRank = (type: string) => (LAYER_ORDER.includes(type) ? LAYER_ORDER.indexOf(type) : LAYER_ORDER.length);

function Node({ node }: { node: MapNode }) {
  return (
    <span className={`node ${node.versionMismatch ? 'mismatch' : ''}`} title={`last seen ${time(node.lastSeen)}${node.versionMismatch ? ', running another version than deployed' : ''}`}>
      <Badge value={node.health} /> {node.url ?? node.address} <code>{node.discoveredVersion ?? node.declaredVersion ?? '?'}</code>
      {node.versionMismatch ? ' ≠ deployed' : ''}
    </span>
  );
}

function EnvironmentMap({ stack, environment }: { stack: string; environment: string }) {
  const tick = useLiveTick(['registry.events', 'rollback.events'], stack);
  const map = useApi<VersionMap>(`/v1/stacks/${encodeURIComponent(stack)}/environments/${encodeURIComponent(environment)}/version-map`, tick);
  const slots = [...(map.data?.slots ?? [])].sort((a, b) => layerRank(a.type) - layerRank(b.type) || a.component.localeCompare(b.component) || a.location.localeCompare(b.location));
  return (
    <Section title={`${environment}`} testId={`version-map-${environment}`}>
      <Problem error={map.error} />
      {map.data && slots.length === 0 ? <Empty>Nothing deployed to {environment} yet.</Empty> : null}
      {slots.length > 0 ? (
        <table>
          <Head columns={['layer', 'component', 'version', 'status', 'location', 'since', 'nodes']} />
          <tbody>
            {slots.map((slot) => (
              <tr key={`${slot.location}/${slot.component}`} data-testid="version-slot">
                <td>{slot.type}</td>
                <td>{slot.component}</td>
                <td>
                  <code>{slot.version}</code>
                </td>
                <td>
                  <Badge value={slot.status} />
                  {slot.executionId ? <a href={link('executions', slot.executionId)}> execution</a> : null}
                </td>
                <td>{slot.location}</td>
                <td>{time(slot.since)}</td>
                <td>{slot.nodes.length === 0 ? <span className="empty">none reporting</span> : slot.nodes.map((node) => <Node key={node.address} node={node} />)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {(map.data?.deployedGroups.length ?? 0) > 0 ? (
        <p className="groups">
          version groups deployed:{' '}
          {map.data?.deployedGroups.map((group) => (
            <span key={`${group.location}/${group.versionGroup}`} className="group" title={group.members.map((member) => `${member.component} ${member.version}`).join(', ')}>
              {group.versionGroup} <small>({group.location}, {time(group.deployedAt)} by {group.deployedBy})</small>
            </span>
          ))}
        </p>
      ) : null}
    </Section>
  );
}

/** The version map of every environment of the stack: layers × components × versions × status × nodes. */
export function VersionMapPage({ stack }: { stack: Stack }) {
  return (
    <>
      <h1>Version map · {stack.name}</h1>
      {stack.environments.map((environment) => (
        <EnvironmentMap key={environment.name} stack={stack.name} environment={environment.name} />
      ))}
    </>
  );
}
