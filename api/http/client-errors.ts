import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { PLATFORM_ERROR_TYPE, platformProblem } from './platform-error';

const answer = (status: string, body?: object, type = 'application/json; charset=utf-8') => {
  const json = body ? JSON.stringify(body) : '';
  return [
    `HTTP/1.1 ${status}`,
    'Connection: close',
    'X-Content-Type-Options: nosniff',
    'Cache-Control: no-store',
    ...(body ? [`Content-Type: ${type}`] : []),
    `Content-Length: ${Buffer.byteLength(json)}`,
    '',
    json,
  ].join('\r\n');
};

/**
 * Answers requests Node refuses before Koa sees them. A method Node's parser does not know (it
 * knows TRACE and the WebDAV ones, which reach the products' routers) is 405 in the platform's
 * envelope, as the routers answer; the rest keep Node's own answers (431, 408, else 400).
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || socket.bytesWritten > 0) {
      socket.destroy();
      return;
    }
    if (err.code === 'HPE_INVALID_METHOD') {
      const body = platformProblem(405, 'method_not_allowed', 'this method is not allowed');
      socket.end(answer('405 Method Not Allowed', body, PLATFORM_ERROR_TYPE));
      return;
    }
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    socket.end(answer(status));
  });
}
