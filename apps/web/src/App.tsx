import { type FormEvent, useEffect, useState } from 'react';
import { api, ApiError, type Checkpoint, session, type Whoami } from './api';
import { BatchList } from './pages/BatchList';
import { BatchPage } from './pages/BatchPage';
import { LicencePage } from './pages/LicencePage';
import { RecordPage } from './pages/RecordPage';
import { VerifyPage } from './pages/VerifyPage';
import { useRoute } from './router';

/** Signed in: who the key belongs to, and the ledger's latest checkpoint, shown in the header. */
export function App() {
  const [me, setMe] = useState<Whoami | undefined>();
  const [checkpoint, setCheckpoint] = useState<Checkpoint | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const route = useRoute();

  const load = async () => {
    if (!session.key()) return;
    try {
      setMe(await api<Whoami>('/whoami'));
      setFailure(undefined);
    } catch (error) {
      session.signOut();
      setMe(undefined);
      setFailure(
        error instanceof ApiError ? `${error.problem.code}: ${error.problem.detail ?? ''}` : String(error),
      );
    }
    api<Checkpoint>('/log/checkpoint').then(setCheckpoint, () => setCheckpoint(undefined));
  };
  useEffect(() => {
    void load();
  }, []);

  if (!me) return <SignIn failure={failure} onKey={(key) => (session.signIn(key), void load())} />;
  return (
    <>
      <header className="top">
        <strong>Tracelode explorer</strong>
        <nav aria-label="Main">
          <a href="#/batches">Batches</a>
          <a href="#/verify">Verify a bundle</a>
          {me.roles.includes('producer') && <a href="#/record">Record</a>}
        </nav>
        <span data-testid="organisation">
          {me.name} ({me.orgId}
          {me.country ? `, ${me.country}` : ''}) — roles: {me.roles.join(', ')}
        </span>
        <span data-testid="checkpoint">
          {checkpoint
            ? `Checkpoint: tree size ${checkpoint.treeSize}, ${checkpoint.timestamp}`
            : 'No checkpoint yet'}
        </span>
        <button type="button" onClick={() => (session.signOut(), setMe(undefined))}>
          Sign out
        </button>
      </header>
      <main>
        {route.page === 'batches' && <BatchList />}
        {route.page === 'batch' && <BatchPage batchId={route.batchId} me={me} />}
        {route.page === 'licence' && <LicencePage licenceId={route.licenceId} />}
        {route.page === 'verify' && <VerifyPage />}
        {route.page === 'record' && <RecordPage me={me} form={route.form} />}
      </main>
    </>
  );
}

function SignIn({ failure, onKey }: { failure: string | undefined; onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (key.trim() !== '') onKey(key.trim());
  };
  return (
    <main>
      <h1>Tracelode explorer</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <label htmlFor="api-key">API key</label>{' '}
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          value={key}
          onChange={(event) => setKey(event.target.value)}
          size={60}
        />{' '}
        <button type="submit">Sign in</button>
        <p>The key is kept in this tab's session storage only, and sent to this ledger as a bearer token.</p>
        {failure && (
          <p role="alert" className="error">
            {failure}
          </p>
        )}
      </form>
    </main>
  );
}
