/**
 * A demo shop for end-to-end tests: a small single-page app served by node:http on
 * 127.0.0.1. Its links navigate with `history.pushState`, and its button sends a custom event
 * through the global `datakant` function.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ShopSite {
  port: number;
  close(): Promise<void>;
}

/** Selectors of the shop page's controls. */
export const SHOP_CONTROLS = {
  productsLink: '#products-link',
  signupButton: '#signup',
} as const;

/**
 * Renders the shop page with `trackingSnippet` in its head. The router renders the heading
 * for the current path after `pushState` and on `popstate`.
 */
export function renderShopPage(trackingSnippet: string): string {
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>Demo shop</title>
<link rel="icon" href="data:,">
${trackingSnippet}
</head>
<body>
<nav><a id="home-link" href="/">Home</a> <a id="products-link" href="/products">Products</a></nav>
<h1 id="heading"></h1>
<button id="signup" type="button">Sign up for Pro</button>
<script>
  const headings = { '/': 'Welcome', '/products': 'Products' };
  function render() {
    document.getElementById('heading').textContent = headings[location.pathname] || 'Not found';
  }
  for (const link of document.querySelectorAll('nav a')) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      history.pushState({}, '', link.getAttribute('href'));
      render();
    });
  }
  addEventListener('popstate', render);
  document.getElementById('signup').addEventListener('click', () => {
    datakant('Signup', { props: { plan: 'pro' } });
  });
  render();
</script>
</body>
</html>`;
}

/**
 * Serves the shop page for every GET path (as a single-page app's server does) and 404 for
 * anything else. Listens on 127.0.0.1 on a port the OS picks.
 */
export async function startShopSite(trackingSnippet: string): Promise<ShopSite> {
  const page = renderShopPage(trackingSnippet);
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://placeholder').pathname;
    if (request.method !== 'GET' || path === '/favicon.ico') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    response.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
