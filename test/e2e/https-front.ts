/**
 * An HTTPS front for end-to-end tests of the first-party cookies, which browsers keep only
 * over HTTPS (`Secure`, `__Host-` prefix). One node `https` server on 127.0.0.1 serves two
 * names with one self-signed certificate made by openssl in a temporary directory:
 *
 * - the shop (`pageHost`): pages the test sets;
 * - the first-party host (`edgeHost`): a reverse proxy to the edge's plain-HTTP port, which
 *   adds `X-Forwarded-For` (so the edge must trust 127.0.0.1 as a proxy) and
 *   `X-Forwarded-Proto: https`, and records the status of each event response.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

export interface HttpsFrontOptions {
  pageHost: string;
  edgeHost: string;
  edgePort: number;
  /** Path of the tracker's event endpoint on the edge. */
  eventPath: string;
  /** Scripts served by the front itself when the edge returns 404 for their path. */
  fallbackScripts: Record<string, string>;
  /** Directory for the key and certificate; the caller removes it. */
  directory: string;
}

export interface HttpsFront {
  port: number;
  setPage(path: string, html: string): void;
  /** Statuses of the edge's responses to event requests since the last `resetEventCount()`. */
  answeredEvents(): number[];
  resetEventCount(): void;
  close(): Promise<void>;
}

/** Makes a self-signed certificate for `hosts` with openssl, valid for one day. */
async function makeCertificate(directory: string, hosts: string[]): Promise<{ key: Buffer; cert: Buffer }> {
  const keyFile = path.join(directory, 'key.pem');
  const certFile = path.join(directory, 'cert.pem');
  const names = hosts.map((host) => `DNS:${host}`).join(',');
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${hosts[0]}`, '-addext', `subjectAltName=${names}`,
  ]);
  return { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) };
}

export async function startHttpsFront(options: HttpsFrontOptions): Promise<HttpsFront> {
  const pages = new Map<string, string>();
  let answered: number[] = [];

  const server: Server = createServer(await makeCertificate(options.directory, [options.pageHost, options.edgeHost]), (request, response) => {
    const host = (request.headers.host ?? '').replace(/:\d+$/, '');
    const pathname = new URL(request.url ?? '/', 'https://placeholder').pathname;

    if (host === options.pageHost) {
      const page = request.method === 'GET' ? pages.get(pathname) : undefined;
      if (page === undefined) response.writeHead(404).end();
      else response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(page);
      return;
    }
    if (host !== options.edgeHost) {
      response.writeHead(421).end();
      return;
    }

    const forwarded = httpRequest(
      {
        host: '127.0.0.1',
        port: options.edgePort,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, 'x-forwarded-for': request.socket.remoteAddress ?? '', 'x-forwarded-proto': 'https' },
      },
      (edgeResponse) => {
        const fallback = options.fallbackScripts[pathname];
        if (edgeResponse.statusCode === 404 && request.method === 'GET' && fallback !== undefined) {
          edgeResponse.resume();
          response.writeHead(200, { 'Content-Type': 'text/javascript' }).end(fallback);
          return;
        }
        response.writeHead(edgeResponse.statusCode ?? 502, edgeResponse.headers);
        edgeResponse.pipe(response);
        edgeResponse.on('end', () => {
          if (request.method === 'POST' && pathname === options.eventPath) answered.push(edgeResponse.statusCode ?? 0);
        });
      },
    );
    forwarded.on('error', () => response.writeHead(502).end());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    setPage: (pagePath, html) => pages.set(pagePath, html),
    answeredEvents: () => answered,
    resetEventCount: () => {
      answered = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
