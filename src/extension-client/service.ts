import type { ServiceReply } from '../main/api/ddClient';
import { plainError } from './exec';
import type { HttpService, RequestConfig, ServiceError, Transport } from './types';

function errorMessage(reply: ServiceReply): string {
  const { body } = reply;
  if (typeof body === 'string' && body !== '') return body;
  if (body !== undefined && body !== null && body !== '') return JSON.stringify(body);
  return reply.statusText || `The backend answered with status ${reply.statusCode}.`;
}

/** Docker's ServiceError, as a plain object so that every field survives contextBridge. */
export function serviceError(reply: ServiceReply): ServiceError {
  return { name: 'ServiceError', message: errorMessage(reply), statusCode: reply.statusCode };
}

/** ddClient.extension.vm.service: requests to the extension's backend, answered with the parsed body. */
export function makeHttpService(transport: Transport): HttpService {
  async function request(config: RequestConfig): Promise<unknown> {
    if (typeof config !== 'object' || config === null || typeof config.url !== 'string') {
      throw new TypeError('The request config must be an object with a string "url".');
    }
    const { url, method, headers, data } = config;
    let reply: ServiceReply;
    try {
      reply = (await transport.invoke('ddClient.service', {
        method: String(method ?? 'GET').toUpperCase(),
        url,
        ...(headers !== undefined ? { headers: { ...headers } } : {}),
        ...(data !== undefined ? { data } : {}),
      })) as ServiceReply;
    } catch (error) {
      throw plainError(error);
    }
    if (reply.statusCode >= 200 && reply.statusCode < 300) return reply.body;
    throw serviceError(reply);
  }
  return {
    get: (url) => request({ url, method: 'GET' }),
    post: (url, data) => request({ url, method: 'POST', data }),
    put: (url, data) => request({ url, method: 'PUT', data }),
    patch: (url, data) => request({ url, method: 'PATCH', data }),
    delete: (url) => request({ url, method: 'DELETE' }),
    head: (url) => request({ url, method: 'HEAD' }),
    request,
  };
}
