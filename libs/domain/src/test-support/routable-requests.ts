import { RoutableRequest, StackRouter, cookieValue } from '../routing/stack-router';

/** A request as the gateway presents it to the router: a path, headers, cookies from the cookie header. */
export function request(path = '/', headers: Record<string, string> = {}): RoutableRequest {
  return {
    path,
    header: (name) => headers[name],
    cookie: (name) => cookieValue(headers['cookie'], name),
  };
}

/** The share of `draws` evenly spread uniform draws that the router sends to stack config `index`. */
export function shareOf(sut: StackRouter, index: number, draws = 10_000): number {
  let hits = 0;
  for (let draw = 0; draw < draws; draw++) {
    if (sut.choose(request(), (draw + 0.5) / draws) === index) {
      hits++;
    }
  }
  return hits / draws;
}
