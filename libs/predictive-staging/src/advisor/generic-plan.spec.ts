import { parameterCount } from './generic-plan';

describe(parameterCount.name, () => {
  it('finds the highest parameter of a normalised statement from its parse tree, in any clause', async () => {
    expect(await parameterCount('SELECT id FROM orders WHERE customer_id = $1 AND created_at > $3 ORDER BY id LIMIT $2')).toBe(3);
    expect(await parameterCount('SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.email IN ($1, $2)')).toBe(2);
  });

  it('counts none in a literal statement, even where the text looks like a parameter', async () => {
    expect(await parameterCount('SELECT id FROM orders WHERE customer_id = 42')).toBe(0);
    expect(await parameterCount(`SELECT id FROM orders WHERE note = 'costs $1'`)).toBe(0);
  });
});
