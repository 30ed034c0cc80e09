import { DomainError } from '../errors/domain-error';
import { schemaScript } from '../executions/schema-migration';
import { indexVersionDefinition, nextPromotionVersion, promotionGroupName, promotionMembers } from './index-promotion';

const CHANGE = { up: 'CREATE INDEX CONCURRENTLY "orders_customer_id_idx" ON "orders" ("customer_id")', down: 'DROP INDEX CONCURRENTLY IF EXISTS "orders_customer_id_idx"' };
const TIMEOUTS = { lockTimeout: '5s', statementTimeout: '1h' };

describe(nextPromotionVersion.name, () => {
  it('bumps the minor of the highest registered version, whatever their order', () => {
    expect(nextPromotionVersion(['1.0.0', '1.10.2', '1.9.0'])).toBe('1.11.0');
    expect(nextPromotionVersion(['2.0.0-rc.1', '1.4.0'])).toBe('2.1.0');
  });

  it('starts at 1.0.0 for a component without versions, and ignores text that is no version', () => {
    expect(nextPromotionVersion([])).toBe('1.0.0');
    expect(nextPromotionVersion(['v1.2.0', 'latest'])).toBe('1.0.0');
  });
});

describe(indexVersionDefinition.name, () => {
  it('builds up as drop-then-create concurrently, the rollback as the concurrent drop, with the timeouts in config', () => {
    const sut = indexVersionDefinition(CHANGE, '1.1.0', TIMEOUTS);
    expect(sut).toEqual({
      version: '1.1.0',
      config: { lock_timeout: '5s', statement_timeout: '1h' },
      spec: { up: `${CHANGE.down};\n${CHANGE.up};`, down: `${CHANGE.down};` },
      rollback: [{ sql: { from: 'down' } }],
    });
  });

  it('runs, as the rollback service splits it, statement by statement outside a transaction in both directions', () => {
    const sut = indexVersionDefinition(CHANGE, '1.1.0', TIMEOUTS);
    expect(schemaScript(sut, 'forward')).toEqual({ statements: [CHANGE.down, CHANGE.up], transactional: false });
    expect(schemaScript(sut, 'backward')).toEqual({ statements: [CHANGE.down], transactional: false });
  });

  it('takes a trailing semicolon, and refuses SQL that is not one concurrent index statement, naming the field', () => {
    expect(indexVersionDefinition({ up: `${CHANGE.up};`, down: `${CHANGE.down}; ` }, '1.0.0', TIMEOUTS).spec.down).toBe(`${CHANGE.down};`);
    const refused = (change: { up: unknown; down: unknown }) => {
      try {
        indexVersionDefinition(change, '1.0.0', TIMEOUTS);
      } catch (error) {
        return (error as DomainError).violations.map((violation) => violation.field);
      }
      throw new Error('accepted');
    };
    expect(refused({ up: 'CREATE INDEX "x" ON "orders" ("a")', down: CHANGE.down })).toEqual(['change.up']);
    expect(refused({ up: `${CHANGE.up}; DROP TABLE orders`, down: 'DROP INDEX "x"' })).toEqual(['change.up', 'change.down']);
    expect(refused({ up: undefined, down: 42 })).toEqual(['change.up', 'change.down']);
  });
});

describe(promotionGroupName.name, () => {
  it('names the group after the stack and the proposal, the same on every call', () => {
    expect(promotionGroupName('shop', '6f1c1d7e-0a1b-4000-8000-000000000000')).toBe('shop-index-6f1c1d7e0a1b');
  });
});

describe(promotionMembers.name, () => {
  it('keeps what is deployed and moves the promoted component to its new version', () => {
    expect(promotionMembers([{ component: 'shop-api', version: '2.0.0' }, { component: 'shop-db', version: '1.0.0' }], { component: 'shop-db', version: '1.1.0' })).toEqual([
      { component: 'shop-api', version: '2.0.0' },
      { component: 'shop-db', version: '1.1.0' },
    ]);
  });

  it('adds the component when none of its versions is deployed', () => {
    expect(promotionMembers([{ component: 'shop-api', version: '2.0.0' }], { component: 'a-db', version: '1.0.0' })).toEqual([
      { component: 'a-db', version: '1.0.0' },
      { component: 'shop-api', version: '2.0.0' },
    ]);
  });
});
