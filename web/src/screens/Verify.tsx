// 核验: the head digest, verification of the whole log (run on request, with its progress, or its last result), and
// whether the log still extends a published report's digest (GET /v1/digest, GET and POST /v1/verify).
import { useEffect, useState } from 'preact/hooks';
import { enc, getJson, postJson } from '../api';
import { instant, t } from '../i18n';
import { ErrorBox, Loading } from './common';

export function VerifyScreen() {
  const [head, setHead] = useState<any>(null);
  const [state, setState] = useState<any>(null);
  const [error, setError] = useState('');
  const [digest, setDigest] = useState('');
  const [check, setCheck] = useState<any>(null);
  useEffect(() => {
    getJson('/v1/digest').then(setHead, (e) => setError(e.message));
    getJson('/v1/verify').then(setState, (e) => setError(e.message));
  }, []);
  useEffect(() => {
    if (!state?.running) return;
    const timer = window.setTimeout(() => getJson('/v1/verify').then(setState, (e) => setError(e.message)), 1000);
    return () => window.clearTimeout(timer);
  }, [state]);
  const last = state?.last;
  return (
    <section aria-labelledby="verify-title">
      <h1 id="verify-title">{t('verifyTitle')}</h1>
      {error && <ErrorBox error={error} />}
      <h2>{t('headDigest')}</h2>
      {head ? <p class="digest" id="head-digest">{head.digest}</p> : !error && <Loading />}
      <h2>{t('runVerify')}</h2>
      <button type="button" id="run-verify" disabled={state?.running}
        onClick={() => postJson('/v1/verify').then(setState, (e) => setError(e.message))}>{t('runVerify')}</button>
      <div role="status" aria-live="polite" id="verify-state">
        {state?.running && <p>{t('verifying', state.seconds)}</p>}
        {!state?.running && !last && <p>{t('noVerifyYet')}</p>}
        {last && (last.ok ? <p class="ok">{t('verifyOk', last.events, last.headDigest, last.seconds.toFixed(1), instant(last.finishedAt))}</p>
          : <p class="error">{t('verifyFailed', last.error)}</p>)}
      </div>
      <h2>{t('digestBox')}</h2>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setCheck(null);
        getJson(`/v1/digest?check=${enc(digest.trim())}`).then(setCheck, (err) => setCheck({ extends: false, message: err.message })); }}>
        <div><label for="digest-input">{t('digest')}</label>
          <input id="digest-input" size={80} value={digest} required onInput={(e) => setDigest((e.target as HTMLInputElement).value)} /></div>
        <button type="submit">{t('check')}</button>
      </form>
      {check && <p role="status" id="digest-result" class={check.extends ? 'ok' : 'error'}>
        {check.extends ? t('extendsYes', check.eventsSince) : t('extendsNo', check.message)}</p>}
    </section>
  );
}
