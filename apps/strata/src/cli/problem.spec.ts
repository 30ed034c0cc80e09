import { cell, renderTable } from './output';
import { describeProblem } from './problem';

describe(describeProblem.name, () => {
  it('puts the detail and every field of a problem on one line, with the correlation id', () => {
    const body = {
      type: 'https://strata.dev/problems/invalid-input',
      title: 'Unprocessable Content',
      status: 422,
      detail: 'the rollout spec has 2 violation(s)',
      errors: [
        { field: 'spec.steps[0].setWeight', message: 'must be a percentage from 0 to 100,\n got 150' },
        { field: 'name', message: 'is required' },
      ],
      correlationId: 'c-9',
    };
    expect(describeProblem(422, body)).toBe('422 Unprocessable Content: the rollout spec has 2 violation(s); spec.steps[0].setWeight: must be a percentage from 0 to 100, got 150; name: is required (correlation id c-9)');
  });

  it('says a field once when the detail already does', () => {
    expect(describeProblem(400, { title: 'Bad Request', detail: 'limit: must not be greater than 500', errors: [{ field: 'limit', message: 'must not be greater than 500' }] })).toBe(
      '400 Bad Request: limit: must not be greater than 500',
    );
  });

  it('shows what a proxy answered when the body is no problem', () => {
    expect(describeProblem(502, '<html>\n<body>Bad gateway</body>\n</html>')).toBe('502: <html> <body>Bad gateway</body> </html>');
    expect(describeProblem(503, undefined)).toBe('503');
  });
});

describe(renderTable.name, () => {
  it('aligns columns two spaces apart, with a dash for nothing and times to the second', () => {
    const rows = [
      { name: 'checkout', environments: ['production', 'staging'], createdAt: '2026-12-06T08:14:41.029Z' },
      { name: 'shop', environments: [], createdAt: null },
    ];
    const columns = [
      { header: 'NAME', value: (row: (typeof rows)[number]) => row.name },
      { header: 'ENVIRONMENTS', value: (row: (typeof rows)[number]) => row.environments },
      { header: 'CREATED', value: (row: (typeof rows)[number]) => row.createdAt },
    ];
    expect(renderTable(rows, columns)).toBe(['NAME      ENVIRONMENTS        CREATED', 'checkout  production,staging  2026-12-06T08:14:41Z', 'shop      -                   -', ''].join('\n'));
    expect(cell({ a: 1 })).toBe('{"a":1}');
  });
});
