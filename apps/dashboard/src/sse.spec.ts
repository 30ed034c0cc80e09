import { ServerSentEventParser } from './sse';

describe(ServerSentEventParser.name, () => {
  it('dispatches an event at its blank line, with its name and data lines joined', () => {
    const sut = new ServerSentEventParser();
    expect(sut.push('event: change\ndata: {"a":1}\ndata: {"b":2}\n\n')).toEqual([{ event: 'change', data: '{"a":1}\n{"b":2}' }]);
  });

  it('keeps a partial event across chunks, split anywhere, CRLF included', () => {
    const sut = new ServerSentEventParser();
    const text = 'id: 1\r\nevent: change\r\ndata: x\r\n\r\nevent: keep-alive\r\ndata: {}\r\n\r\n';
    const events = [...text].flatMap((character) => sut.push(character));
    expect(events).toEqual([
      { event: 'change', data: 'x' },
      { event: 'keep-alive', data: '{}' },
    ]);
  });

  it('ignores comments and events without data, and names an unnamed event message', () => {
    const sut = new ServerSentEventParser();
    expect(sut.push(': ping\n\nevent: empty\n\ndata: plain\n\n')).toEqual([{ event: 'message', data: 'plain' }]);
  });
});
