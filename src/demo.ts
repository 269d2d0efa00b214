/**
 * `datakant demo`: the edge with a demo property `localhost`, a page at `/demo` that loads
 * the standard snippet, and a fresh Stats API key printed for it.
 */
import type { ServerConfig } from './config.js';
import { ConfigStore } from './config-store/config-store.js';
import { renderSnippet } from './snippet.js';
import { startServer, type RunningServer } from './server/start.js';

export const DEMO_DOMAIN = 'localhost';

function demoPage(snippet: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>datakant demo shop</title>
${snippet}
</head>
<body>
<h1>datakant demo shop</h1>
<p>This page sends a pageview on load. The links below change the URL without a reload,
as a single-page app does, and each one sends another pageview.</p>
<nav><a href="/demo" data-spa>Home</a> · <a href="/demo/products" data-spa>Products</a> · <a href="/demo/cart" data-spa>Cart</a></nav>
<p><button id="signup">Sign up (custom event "Signup" with a property)</button></p>
<script>
document.querySelectorAll('a[data-spa]').forEach(function (link) {
  link.addEventListener('click', function (event) {
    event.preventDefault();
    history.pushState({}, '', link.getAttribute('href'));
  });
});
document.getElementById('signup').addEventListener('click', function () {
  datakant('Signup', { props: { plan: 'pro' } });
});
</script>
</body>
</html>
`;
}

export async function runDemo(config: ServerConfig): Promise<RunningServer> {
  const store = await ConfigStore.open(config.dataDir);
  let key: string;
  try {
    if (!(await store.getSite(DEMO_DOMAIN))) await store.addSite({ domain: DEMO_DOMAIN, timezone: 'UTC' });
    key = (await store.createKey({ name: 'demo', sites: [DEMO_DOMAIN] })).key;
  } finally {
    await store.close();
  }

  const server = await startServer(config, {
    async configure(app) {
      const snippet = renderSnippet({ domain: DEMO_DOMAIN, scriptUrl: config.scriptPath });
      const page = demoPage(snippet);
      app.get('/demo', (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
      app.get('/demo/*', (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
    },
  });
  const base = `http://localhost:${config.port}`;
  console.log(`
datakant demo is running.
  Demo page:   ${base}/demo   (open it, click around)
  Stats API key for the property "${DEMO_DOMAIN}": ${key}
  Try:
    curl -s ${base}/api/v2/query -H "Authorization: Bearer ${key}" -H 'Content-Type: application/json' \\
      -d '{"site_id":"${DEMO_DOMAIN}","metrics":["visitors","pageviews"],"date_range":"day","dimensions":["event:page"]}'
Press Ctrl+C to stop.`);
  return server;
}
