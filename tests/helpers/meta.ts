import { request } from 'node:http'
import { CHANGES_PATH, OPS_PATH } from '../../protocol/http-api'
import type { ChangesResponse, MetaOp, OpPayloads, OpsResponse } from '../../protocol/meta/types'

let opCounter = 0

/** A metadata op as the app would send it; a fresh op id unless one is given. */
export function op<K extends keyof OpPayloads>(
  kind: K,
  entity: string,
  payload: OpPayloads[K],
  extra: { baseVersion?: number; opId?: string; device?: string } = {},
): MetaOp {
  const device = extra.device ?? 'dev-a'
  return { opId: extra.opId ?? `op-${process.pid}-${++opCounter}`, kind, entity, baseVersion: extra.baseVersion ?? 0, actor: { device, name: device }, payload } as MetaOp
}

const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {})

export async function postOps(url: string, ops: readonly MetaOp[], token?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${OPS_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth(token), ...headers },
    body: JSON.stringify({ ops }),
  })
  return { status: res.status, headers: res.headers, body: (await res.json()) as OpsResponse & { error?: string } }
}

/** POSTs ops and expects 200; returns the results. */
export async function sendOps(url: string, ops: readonly MetaOp[], token?: string) {
  const res = await postOps(url, ops, token)
  if (res.status !== 200) throw new Error(`POST /v1/ops: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.results
}

export async function getChanges(url: string, params: Record<string, string | number> = {}, token?: string, headers: Record<string, string> = {}) {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))
  const res = await fetch(`${url}${CHANGES_PATH}?${query}`, { headers: { ...auth(token), ...headers } })
  return { status: res.status, headers: res.headers, body: (await res.json()) as ChangesResponse & { error?: string } }
}

/** Every feed entry after `since`, following pages. */
export async function allChanges(url: string, since = 0, token?: string): Promise<ChangesResponse['entries'][number][]> {
  const entries = []
  for (let cursor = since; ; ) {
    const { status, body } = await getChanges(url, { since: cursor }, token)
    if (status !== 200) throw new Error(`GET /v1/changes: ${status} ${JSON.stringify(body)}`)
    entries.push(...body.entries)
    cursor = body.cursor
    if (!body.more) return entries
  }
}

/**
 * A raw HTTP request (fetch cannot send an oversized body and still read an early answer, nor set
 * every header). Resolves with the status, headers and body text.
 */
export function rawRequest(
  url: string,
  init: { method: string; path: string; headers?: Record<string, string | number>; body?: Buffer | string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${init.path}`, { method: init.method, headers: init.headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }))
    })
    // The relay may answer and close before the whole body is written (413): that is the point.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)))
    req.end(init.body)
  })
}

/** The value of one series in Prometheus text, NaN when absent. */
export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '))
  return line ? Number(line.slice(series.length + 1)) : NaN
}
