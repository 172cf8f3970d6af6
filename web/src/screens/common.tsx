// Small pieces the screens share.
import { t } from '../i18n';
import { onLink } from '../router';
import type { ComponentChildren } from 'preact';

export function Loading() { return <p aria-live="polite">{t('loading')}</p>; }
export function ErrorBox({ error }: { error: string }) {
  return <p role="alert" class="error">{t('error')}: {error}</p>;
}
export function Link({ href, children, id }: { href: string; children: ComponentChildren; id?: string }) {
  return <a href={href} id={id} onClick={onLink}>{children}</a>;
}
