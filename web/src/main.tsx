// The ogi web console (docs/CONSOLE.md): sign-in, then the work list, case pages, annual reports and audit.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import './style.css';
import { loadSession, session, signIn, signOut } from './api';
import { lang, setLang, t } from './i18n';
import { location, match, onLink, BASE, takeKeptFocus } from './router';
import { useSignal } from './state';
import { DueScreen } from './screens/Due';
import { CaseScreen, NewCaseScreen } from './screens/Case';
import { ReportScreen, ReportPickScreen, CellScreen } from './screens/Report';
import { VerifyScreen } from './screens/Verify';

function SignIn() {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await signIn(token);
      setToken('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="signin-title" class="signin">
      <h1 id="signin-title">{t('appTitle')}</h1>
      <p>{t('signInFirst')}</p>
      <form onSubmit={submit}>
        <label for="token">{t('token')}</label>
        <input id="token" name="token" type="password" autocomplete="off" required value={token}
          aria-describedby="token-help" aria-invalid={error ? true : undefined}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        <p id="token-help" class="help">{t('tokenHelp')}</p>
        {error && <p role="alert" class="error" id="signin-error">{error}</p>}
        <button type="submit" disabled={busy}>{t('signIn')}</button>
      </form>
    </section>
  );
}

function Nav({ current }: { current: string }) {
  const item = (name: string, href: string, label: string) => (
    <li><a href={href} onClick={onLink} aria-current={current === name ? 'page' : undefined}>{label}</a></li>
  );
  return (
    <nav aria-label="主导航">
      <ul>
        {item('due', `${BASE}/due`, t('navDue'))}
        {item('new', `${BASE}/new`, t('navNew'))}
        {item('report', `${BASE}/reports`, t('navReport'))}
        {item('verify', `${BASE}/verify`, t('navVerify'))}
      </ul>
    </nav>
  );
}

function App() {
  const s = useSignal(session);
  const path = useSignal(location);
  useSignal(lang);
  const main = useRef<HTMLElement>(null);
  useEffect(() => { void loadSession(); }, []);
  useEffect(() => { document.title = `ogi · ${t('appTitle')}`; });
  // After a navigation inside the app, keyboard and screen-reader users start at the new screen's content.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    if (takeKeptFocus()) return;
    main.current?.focus();
  }, [path]);
  const route = match(path);
  let screen;
  if (s === undefined) screen = <p>{t('loading')}</p>;
  else if (s === null) screen = <SignIn />;
  else if (route.name === 'due') screen = <DueScreen route={route} />;
  else if (route.name === 'case') screen = <CaseScreen key={route.params[0]} caseId={route.params[0]} />;
  else if (route.name === 'new') screen = <NewCaseScreen />;
  else if (route.name === 'reportPick') screen = <ReportPickScreen />;
  else if (route.name === 'report') screen = <ReportScreen key={path} route={route} />;
  else if (route.name === 'cell') screen = <CellScreen key={path.split('?')[0]} route={route} />;  // paging keeps the screen
  else if (route.name === 'verify') screen = <VerifyScreen />;
  else screen = <p role="alert">404</p>;
  const group = route.name === 'case' ? '' : route.name.startsWith('report') || route.name === 'cell' ? 'report' : route.name;
  return (
    <>
      <a class="skip" href="#main">{t('skip')}</a>
      <header>
        <span class="brand">ogi · {t('appTitle')}</span>
        {s && <Nav current={group} />}
        <span class="spacer" />
        <button type="button" class="link" lang={lang.get() === 'zh' ? 'en' : 'zh-CN'}
          onClick={() => setLang(lang.get() === 'zh' ? 'en' : 'zh')}>{t('language')}</button>
        {s && (
          <>
            <span class="who">{t('signedInAs', s.name, s.agencyId, s.rollup ? t('andSubtree') : '')}</span>
            <button type="button" id="signout" onClick={() => void signOut()}>{t('signOut')}</button>
          </>
        )}
      </header>
      <main id="main" ref={main} tabIndex={-1}>{screen}</main>
    </>
  );
}

document.documentElement.lang = lang.get() === 'zh' ? 'zh-CN' : 'en';
render(<App />, document.getElementById('app')!);
