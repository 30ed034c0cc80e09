import { FormEvent, useState } from 'react';
import { ApiError, getJson, session } from './api';
import { LiveProvider, useLiveStatus, useLiveTick } from './live';
import type { Stack } from './model';
import { AuditPage } from './pages/audit';
import { ExecutionsPage } from './pages/executions';
import { KpisPage } from './pages/kpis';
import { ProposalsPage } from './pages/proposals';
import { RolloutsPage } from './pages/rollouts';
import { TriggersPage } from './pages/triggers';
import { VersionMapPage } from './pages/version-map';
import { link, useRoute } from './route';
import { Badge, Problem } from './ui';
import { useList } from './use-list';

const PAGES = [
  ['map', 'Version map'],
  ['rollouts', 'Rollouts'],
  ['kpis', 'KPIs'],
  ['executions', 'Executions'],
  ['triggers', 'Triggers'],
  ['proposals', 'Proposals'],
  ['audit', 'Audit'],
] as const;

/** The token is checked against the API before it is kept: a wrong one never reaches the pages. `notice`: why the last one was signed out. */
function Login({ onSignedIn, notice }: { onSignedIn: (token: string) => void; notice?: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(notice);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await getJson('/v1/stacks?limit=1', token.trim());
      session.signIn(token.trim());
      onSignedIn(token.trim());
    } catch (failure) {
      setError(failure instanceof ApiError && failure.status === 401 ? 'This token is not accepted (unknown, expired or revoked).' : String(failure));
    }
  };
  return (
    <form className="login card" onSubmit={submit}>
      <h1>Strata</h1>
      <label htmlFor="token">API token</label>
      <input id="token" name="token" type="password" autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} placeholder="strata_…" />
      <button type="submit" disabled={token.trim() === ''}>
        Sign in
      </button>
      <p className="hint">The token printed on Strata's first start, or one issued with POST /v1/tokens. It is kept in this tab only.</p>
      <Problem error={error} />
    </form>
  );
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const route = useRoute();
  const status = useLiveStatus();
  const [chosen, setChosen] = useState(() => sessionStorage.getItem('strata.stack'));
  // Every stack, however many pages of the API's most (500) they take: a picker cannot offer "load more".
  const stacks = useList<Stack>('/v1/stacks', useLiveTick(['registry.events'], null, 1_000), { step: Infinity, maxLimit: 500, paged: true });
  const stack = stacks.data?.find((candidate) => candidate.name === chosen) ?? stacks.data?.[0];
  const choose = (name: string) => {
    sessionStorage.setItem('strata.stack', name);
    setChosen(name);
  };
  return (
    <>
      <header>
        <strong>Strata</strong>
        <nav>
          {PAGES.map(([page, title]) => (
            <a key={page} href={link(page)} className={route.page === page ? 'active' : ''}>
              {title}
            </a>
          ))}
        </nav>
        <select aria-label="stack" value={stack?.name ?? ''} onChange={(event) => choose(event.target.value)}>
          {(stacks.data ?? []).map((candidate) => (
            <option key={candidate.name}>{candidate.name}</option>
          ))}
        </select>
        <span data-testid="live-status">
          <Badge value={status} />
        </span>
        <button onClick={onSignOut}>Sign out</button>
      </header>
      <main>
        <Problem error={stacks.error} />
        {stacks.data && !stack ? <p className="empty">No stack yet: create one (strata apply -f …) and it appears here.</p> : null}
        {stack ? <CurrentPage route={route} stack={stack} /> : null}
      </main>
    </>
  );
}

function CurrentPage({ route, stack }: { route: ReturnType<typeof useRoute>; stack: Stack }) {
  switch (route.page) {
    case 'rollouts':
      return <RolloutsPage stack={stack.name} id={route.id} />;
    case 'kpis':
      return <KpisPage stack={stack.name} id={route.id} />;
    case 'executions':
      return <ExecutionsPage stack={stack.name} id={route.id} />;
    case 'proposals':
      return <ProposalsPage stack={stack.name} id={route.id} />;
    case 'triggers':
      return <TriggersPage stack={stack} />;
    case 'audit':
      return <AuditPage stack={stack.name} />;
    default:
      return <VersionMapPage stack={stack} />;
  }
}

export function App() {
  const [token, setToken] = useState(session.token);
  const [notice, setNotice] = useState<string>();
  if (!token) return <Login onSignedIn={setToken} notice={notice} />;
  const signOut = (why?: string) => {
    session.signOut();
    setNotice(why);
    setToken(null);
  };
  // The live stream hears first that a signed-in token was revoked or has expired: back to sign in, as the sign-in's own 401 does.
  const refused = (error: ApiError) => signOut(`Signed out: the API no longer accepts this token (${error.message}). Sign in again.`);
  return (
    <LiveProvider token={token} onRefused={refused}>
      <Shell onSignOut={() => signOut()} />
    </LiveProvider>
  );
}
