/**
 * The HTML a site owner pastes into every page. The first script defines `window.datakant`
 * as a stub that queues calls made before the tracker has loaded. The tracker replays them
 * and replaces the stub. The tracker script is `defer`red, so it never blocks rendering.
 */
export const QUEUE_STUB =
  'window.datakant=window.datakant||function(){(window.datakant.q=window.datakant.q||[]).push(arguments)}';

export interface SnippetOptions {
  /** The property's domain, sent with every event. */
  domain: string;
  /** Absolute URL of the tracker script, on the first-party host or on the ingest host. */
  scriptUrl: string;
}

export function renderSnippet({ domain, scriptUrl }: SnippetOptions): string {
  return (
    `<script>${QUEUE_STUB}</script>\n` +
    `<script defer data-domain="${escapeAttribute(domain)}" src="${escapeAttribute(scriptUrl)}"></script>`
  );
}

const ATTRIBUTE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '"': '&quot;',
  "'": '&#39;',
  '<': '&lt;',
  '>': '&gt;',
};

/** Escapes a value for a double-quoted HTML attribute. */
function escapeAttribute(value: string): string {
  return value.replace(/[&"'<>]/g, (character) => ATTRIBUTE_ESCAPES[character]!);
}
