import { DomainViolation } from '../errors/domain-error';
import { isPlainObject } from './validation';

/** A component a routing layer names: an lb-rule's route target or a network policy's `to`. */
export interface RoutingTarget {
  /** Where the name sits in the member's version, e.g. `spec.routes[0].to`. */
  field: string;
  component: string;
  /** The type the named component must have, when the layer needs one (an lb-rule routes to apps). */
  mustBe?: string;
}

/** The components an lb-rule or network-policy version's spec names (its spec already valid). */
export function routingTargets(type: string, spec: unknown): RoutingTarget[] {
  if (!isPlainObject(spec)) return [];
  const list = (key: string): unknown[] => (Array.isArray(spec[key]) ? (spec[key] as unknown[]) : []);
  const targets = (key: string, mustBe?: string): RoutingTarget[] =>
    list(key).flatMap((entry, index) =>
      isPlainObject(entry) && typeof entry['to'] === 'string' ? [{ field: `spec.${key}[${index}].to`, component: entry['to'], ...(mustBe ? { mustBe } : {}) }] : [],
    );
  if (type === 'lb-rule') return targets('routes', 'app');
  if (type === 'network-policy') return targets('allow');
  return [];
}

/**
 * A version group's routing layers may only name components of its stack (an lb-rule's routes,
 * apps): a route to a component that does not exist sends its traffic nowhere once deployed.
 * `known` maps each component of the stack to its type; `member` names the member in messages.
 */
export function routingTargetViolations(member: { field: string; name: string; type: string; spec: unknown }, stack: string, known: ReadonlyMap<string, string>): DomainViolation[] {
  return routingTargets(member.type, member.spec).flatMap(({ field, component, mustBe }): DomainViolation[] => {
    const type = known.get(component);
    if (type === undefined) return [{ field: member.field, message: `${member.name} ${field} names '${component}', which is not a component of stack ${stack}` }];
    if (mustBe !== undefined && type !== mustBe) return [{ field: member.field, message: `${member.name} ${field} names '${component}', a ${type} component: only ${mustBe} components take traffic` }];
    return [];
  });
}
