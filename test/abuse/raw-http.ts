/**
 * A raw HTTP/1.1 client over a TCP socket, for requests node:http refuses to send: invalid
 * bytes in headers, wrong Content-Length, bodies in odd encodings. Loopback only.
 */
import net from 'node:net';

export interface RawHeader {
  name: string;
  value: string | Buffer;
}

/** Builds a request with `Connection: close` and, unless `contentLength` is false, a Content-Length. */
export function buildRequest(options: {
  method?: string;
  path: string;
  host?: string | null;
  headers?: RawHeader[];
  body?: Buffer | string;
  contentLength?: number | false;
}): Buffer {
  const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : (options.body ?? Buffer.alloc(0));
  const lines: Buffer[] = [Buffer.from(`${options.method ?? 'POST'} ${options.path} HTTP/1.1\r\n`, 'latin1')];
  if (options.host !== null) lines.push(Buffer.from(`Host: ${options.host ?? 'localhost'}\r\n`, 'latin1'));
  for (const header of options.headers ?? []) {
    lines.push(Buffer.from(`${header.name}: `, 'latin1'), Buffer.from(header.value), Buffer.from('\r\n'));
  }
  if (options.contentLength !== false) lines.push(Buffer.from(`Content-Length: ${options.contentLength ?? body.length}\r\n`));
  lines.push(Buffer.from('Connection: close\r\n\r\n'), body);
  return Buffer.concat(lines);
}

/**
 * Sends `request` and resolves with the response's status code, or 0 when the server closed
 * the connection without a status line.
 */
export function sendRaw(port: number, request: Buffer, timeoutMs = 15_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`No answer within ${timeoutMs} ms to ${request.subarray(0, 80).toString('latin1')}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    const finish = () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      resolve(match ? Number(match[1]) : 0);
    };
    socket.on('close', finish);
    socket.on('error', () => undefined);
    socket.write(request);
  });
}
