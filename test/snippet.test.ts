import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { QUEUE_STUB, renderSnippet } from '../src/snippet.js';

test('snippet loads the script deferred', () => {
  const html = renderSnippet({ domain: 'shop.example', scriptUrl: 'https://analytics.shop.example/_dk/s.js' });

  assert.match(html, /<script defer data-domain="shop\.example" src="https:\/\/analytics\.shop\.example\/_dk\/s\.js"><\/script>$/);
  assert.ok(html.startsWith(`<script>${QUEUE_STUB}</script>`), 'the queue stub comes before the tracker script');
});

test('snippet escapes attribute values', () => {
  const html = renderSnippet({ domain: 'a"b<c>&\'d', scriptUrl: 'https://x.example/s.js?a=1&b="2"' });

  assert.ok(html.includes('data-domain="a&quot;b&lt;c&gt;&amp;&#39;d"'), html);
  assert.ok(html.includes('src="https://x.example/s.js?a=1&amp;b=&quot;2&quot;"'), html);
  assert.equal(html.match(/"/g)?.length, 4, 'only the two attribute values are quoted');
});

test('queue stub records calls in order', () => {
  const html = renderSnippet({ domain: 'shop.example', scriptUrl: 'https://shop.example/_dk/s.js' });
  const inline = /^<script>(.*?)<\/script>/.exec(html)?.[1];
  assert.ok(inline, 'the snippet starts with an inline script');

  const window: { datakant?: ((...args: unknown[]) => void) & { q?: ArrayLike<unknown>[] } } = {};
  runInNewContext(inline, { window });
  window.datakant!('Signup', { props: { plan: 'pro' } });
  window.datakant!('consent', {});

  const queued = Array.from(window.datakant!.q!, (args) => Array.from(args));
  assert.deepEqual(queued, [
    ['Signup', { props: { plan: 'pro' } }],
    ['consent', {}],
  ]);
});

test('queue stub keeps an existing function', () => {
  const existing = () => {};
  const window = { datakant: existing };

  runInNewContext(QUEUE_STUB, { window });

  assert.equal(window.datakant, existing);
});
