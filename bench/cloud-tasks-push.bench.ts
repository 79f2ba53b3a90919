/**
 * The Cloud Tasks push handler, in one run:
 *
 * 1. Requests per second on loopback (autocannon in this process, each server in its own
 *    child process, interleaved rounds) of:
 *      - a bare node:http server that reads the body, JSON.parses it and answers 200;
 *      - jobferry's node:http push handler with OIDC verification on (RS256 token, JWKS from a
 *        local server, fetched once and cached), the pipeline (envelope, zod schema, no-op job)
 *        and the answer, as Cloud Tasks sends it: one token reused by many tasks, so the
 *        handler's verified-token cache answers after the first request;
 *      - the same handler with that cache off (tokenCacheSize 0): the signature is checked on
 *        every request.
 *    Every server gets the same requests: the Cloud Tasks headers, a bearer token (ignored by
 *    the bare server) and a ~300-byte envelope.
 * 2. The push entry (jobferry/cloud-tasks/push): esbuild bundle (minified, code splitting) size
 *    of what loads with it and what loads only when used, what those bytes are made of, and its
 *    net import time in fresh processes (entry bundle minus an empty module, median of
 *    interleaved runs); for context, the core alone bundled the same way, the entry beyond the
 *    core, and the TypeScript source (net of an empty .ts module).
 *
 *   npx node bench/cloud-tasks-push.bench.ts [--quick]
 *
 * Targets: >= 0.9x the bare server (both handler variants are held to it); the push entry
 * <= 15 ms net import.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printResult, printTargets, quick, round, target } from './lib.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const mode = process.argv.find((a) => a.startsWith('--serve='))?.slice('--serve='.length);

const SA = 'tasks@bench.iam.gserviceaccount.com';

if (mode !== undefined) await serve(mode);
else await main();

// ---------------------------------------------------------------- child: one server

async function serve(kind: string): Promise<void> {
  // A clean exit on kill, so --cpu-prof and friends can write their files.
  process.on('SIGTERM', () => process.exit(0));
  const body = await import('node:http');
  if (kind === 'bare') {
    const server = body.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(parsed.id === undefined ? '{}' : '{"outcome":"completed"}');
      });
    });
    server.listen(0, '127.0.0.1', () => ready({ port: (server.address() as { port: number }).port }));
    return;
  }
  const { z } = await import('zod');
  const { generateKeyPair, exportJWK, SignJWT } = await import('jose');
  const { defineJob } = await import('../src/job.ts');
  const { createNodePushHandler } = await import('../adapters/cloud-tasks/push.ts');
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  const jwksServer = body.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as { port: number }).port}/certs`;
  const server = body.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const audience = `http://127.0.0.1:${port}/tasks`;
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ email: SA, email_verified: true, sub: '1' })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
    .setIssuer('https://accounts.google.com')
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
  const job = defineJob({
    name: 'bench.order',
    schema: z.object({ orderId: z.string(), customer: z.object({ id: z.number().int(), email: z.string() }), items: z.array(z.object({ sku: z.string(), quantity: z.number().int() })), note: z.string().optional() }),
    handler: async () => {},
  });
  const handler = createNodePushHandler({
    jobs: [job],
    service: () => {
      throw new Error('the benchmark job never needs the service');
    },
    authentication: { serviceAccountEmail: SA, audience, jwksUrl, tokenCacheSize: kind === 'push-nocache' ? 0 : 1000 },
    queueMaxAttempts: 100,
  });
  server.on('request', handler);
  ready({ port, token });
}

function ready(info: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

// ---------------------------------------------------------------- parent

type Autocannon = (options: { url: string; method: string; headers: Record<string, string>; body: string; connections: number; duration: number }) => Promise<{
  requests: { total: number };
  non2xx: number;
  errors: number;
}>;

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  readonly token?: string;
}

function startServer(kind: string): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), `--serve=${kind}`], { stdio: ['ignore', 'pipe', 'inherit'], cwd: repo });
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ child, ...(JSON.parse(line) as { port: number; token?: string }) });
    });
    child.on('exit', (code) => reject(new Error(`server ${kind} exited with ${String(code)}`)));
  });
}

async function main(): Promise<void> {
  // autocannon ships no types: the little used here, typed by hand.
  const autocannonModule = 'autocannon';
  const autocannon = ((await import(autocannonModule)) as { default: Autocannon }).default;
  const { createEnvelope, encodeEnvelope } = await import('../src/envelope.ts');
  const envelope = encodeEnvelope(
    createEnvelope('bench.order', { orderId: 'order-42', customer: { id: 42, email: 'customer42@example.com' }, items: [{ sku: 'SKU-001', quantity: 2 }, { sku: 'SKU-002', quantity: 1 }], note: 'leave at the door' }),
  );
  const servers = {
    bare: await startServer('bare'),
    push: await startServer('push'),
    'push-nocache': await startServer('push-nocache'),
  };
  const names = { bare: 'bare node:http (read + JSON.parse)', push: 'jobferry push handler (OIDC on, token cache)', 'push-nocache': 'jobferry push handler (OIDC on, signature every request)' } as const;
  const durationS = quick ? 1 : 5;
  const rounds = quick ? 2 : 5;
  const connections = 32;

  const load = async (kind: keyof typeof servers) => {
    const s = servers[kind];
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-cloudtasks-queuename': 'bench',
      'x-cloudtasks-taskname': '0123456789abcdef',
      'x-cloudtasks-taskretrycount': '0',
      'x-cloudtasks-taskexecutioncount': '0',
      // The same request for every server: the bare one receives (and ignores) a token too.
      authorization: `Bearer ${s.token ?? servers.push.token}`,
    };
    const result = await autocannon({ url: `http://127.0.0.1:${s.port}/tasks`, method: 'POST', headers, body: envelope, connections, duration: durationS });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${kind}: ${result.non2xx} non-2xx answers and ${result.errors} errors: the benchmark is not measuring what it says`);
    return result.requests.total / durationS;
  };

  const samples: Record<keyof typeof servers, number[]> = { bare: [], push: [], 'push-nocache': [] };
  const kinds = Object.keys(servers) as Array<keyof typeof servers>;
  for (const kind of kinds) await load(kind); // warm-up: JIT, keys fetched, connections open
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? kinds : [...kinds].reverse();
    for (const kind of order) samples[kind].push(await load(kind));
  }
  for (const s of Object.values(servers)) s.child.kill();
  const rps = Object.fromEntries(kinds.map((k) => [k, median(samples[k])])) as Record<keyof typeof servers, number>;
  console.log(`requests/s on loopback, autocannon ${connections} connections, ${durationS} s x ${rounds} interleaved rounds (median):`);
  for (const k of kinds) console.log(`  ${names[k].padEnd(58)} ${Math.round(rps[k]).toLocaleString('en-US').padStart(8)} /s  (${(rps[k] / rps.bare).toFixed(3)}x bare)`);

  const inProcess = await measureInProcess(envelope);
  console.log(`in process, no HTTP (ns per request, median of interleaved rounds): JSON.parse alone ${Math.round(inProcess.parse)}, pipeline.run ${Math.round(inProcess.pipeline)}, push core (remembered token + pipeline + answer) ${Math.round(inProcess.core)}; the handler's own part ${Math.round(inProcess.core - inProcess.pipeline)}`);

  const entry = await measureEntry();
  console.log('push entry (adapters/cloud-tasks/push.ts, esbuild, minified, code splitting, jose bundled):');
  console.log(`  loaded with the entry: ${entry.entryBytes} bytes (${Object.entries(entry.composition).map(([k, v]) => `${k} ${v}`).join(', ')}); loaded only when used: ${entry.lazyBytes} bytes`);
  console.log(`  external imports: ${entry.imports.join(', ') || 'none'}`);
  console.log(`  import in a fresh process, median of ${entry.times} interleaved: empty module ${round(entry.emptyMs, 2)} ms, entry bundle ${round(entry.bundleMs, 2)} ms, net ${round(entry.netMs, 2)} ms`);
  console.log(`  of which the core alone (src/pipeline.ts bundled the same way, net): ${round(entry.coreMs, 2)} ms; the push handler beyond the core: ${round(entry.beyondCoreMs, 2)} ms`);
  console.log(`  TypeScript source (type stripping, net of an empty .ts module): ${round(entry.sourceNetMs, 2)} ms`);

  const targets = [
    target('push handler (token cache) / bare node:http', rps.push / rps.bare, '>=', 0.9),
    target('push handler (signature every request) / bare node:http', rps['push-nocache'] / rps.bare, '>=', 0.9),
    target('push entry net import ms (bundle)', entry.netMs, '<=', 15),
    target('push entry net import ms (TypeScript source)', entry.sourceNetMs, '<=', 15),
  ];
  printTargets(targets);
  printResult(
    'cloud-tasks-push',
    {
      requestsPerSecond: Object.fromEntries(kinds.map((k) => [k, Math.round(rps[k])])),
      ratios: { push: round(rps.push / rps.bare), pushSignatureEveryRequest: round(rps['push-nocache'] / rps.bare) },
      load: { connections, durationS, rounds },
      inProcessNsPerRequest: { parseOnly: Math.round(inProcess.parse), pipeline: Math.round(inProcess.pipeline), pushCore: Math.round(inProcess.core) },
      entry: { bytes: entry.entryBytes, lazyBytes: entry.lazyBytes, composition: entry.composition, importMs: { empty: round(entry.emptyMs, 2), bundle: round(entry.bundleMs, 2), net: round(entry.netMs, 2), coreNet: round(entry.coreMs, 2), beyondCore: round(entry.beyondCoreMs, 2), sourceNet: round(entry.sourceNetMs, 2) } },
    },
    targets,
  );
}

/** Where a request's CPU goes without HTTP: JSON.parse alone, the pipeline, the push core. */
async function measureInProcess(envelope: string) {
  const { createServer } = await import('node:http');
  const { z } = await import('zod');
  const { generateKeyPair, exportJWK, SignJWT } = await import('jose');
  const { defineJob } = await import('../src/job.ts');
  const { createPipeline } = await import('../src/pipeline.ts');
  const { createPushCore } = await import('../adapters/cloud-tasks/push.ts');
  const { compare } = await import('./lib.ts');
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256' };
  const jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const audience = 'https://jobs.example.run.app/tasks';
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ email: SA, email_verified: true }).setProtectedHeader({ alg: 'RS256', kid: 'bench' }).setIssuer('https://accounts.google.com').setAudience(audience).setIssuedAt(now).setExpirationTime(now + 3600).sign(privateKey);
  const job = defineJob({
    name: 'bench.order',
    schema: z.object({ orderId: z.string(), customer: z.object({ id: z.number().int(), email: z.string() }), items: z.array(z.object({ sku: z.string(), quantity: z.number().int() })), note: z.string().optional() }),
    handler: async () => {},
  });
  const pipeline = createPipeline({ jobs: [job], adapter: 'cloud-tasks', queue: 'bench', maxBodyBytes: 1_048_576 });
  const core = createPushCore({
    jobs: [job],
    pipeline,
    service: () => {
      throw new Error('not needed');
    },
    authentication: { serviceAccountEmail: SA, audience, jwksUrl: `http://127.0.0.1:${(jwks.address() as { port: number }).port}/certs` },
    queueMaxAttempts: 100,
  });
  const body = Buffer.from(envelope);
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-cloudtasks-taskretrycount': '0', 'x-cloudtasks-taskname': '0123456789abcdef', 'content-length': String(body.length) };
  const request = { method: 'POST', url: audience, header: (name: string) => headers[name], readBody: async () => body };
  if ((await core.handle(request)).status !== 200) throw new Error('the push core did not complete the benchmark job');
  let sink = 0;
  const n = quick ? 5_000 : 100_000;
  const rows = await compare(
    [
      { name: 'parse', run: (count) => { for (let i = 0; i < count; i++) sink += (JSON.parse(body.toString('utf8')) as { v: number }).v; } },
      { name: 'pipeline', async run(count) { for (let i = 0; i < count; i++) if ((await pipeline.run({ body, attempt: 1, transportId: 't', maxAttempts: 100 })).type === 'completed') sink++; } },
      { name: 'core', async run(count) { for (let i = 0; i < count; i++) if ((await core.handle(request)).status === 200) sink++; } },
    ],
    { n, rounds: quick ? 3 : 7 },
  );
  jwks.close();
  if (sink === 0) throw new Error('nothing ran');
  const ns = (name: string) => rows.find((r) => r.name === name)!.nsPerOp;
  return { parse: ns('parse'), pipeline: ns('pipeline'), core: ns('core') };
}

async function measureEntry() {
  const esbuild = await import('esbuild');
  const work = mkdtempSync(join(tmpdir(), 'jobferry-push-bench-'));
  const result = await esbuild.build({
    entryPoints: { push: join(repo, 'adapters/cloud-tasks/push.ts') },
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    outdir: work,
    absWorkingDir: repo,
    metafile: true,
    nodePaths: [join(repo, 'node_modules')],
    logLevel: 'silent',
  });
  // The entry chunk and every chunk it imports statically load with it; chunks reached only
  // through import() (the dev-only environment check) load when used.
  const outputs = result.metafile.outputs;
  const entryPath = Object.keys(outputs).find((p) => outputs[p]!.entryPoint !== undefined)!;
  const eager = new Set<string>([entryPath]);
  for (const path of eager) for (const i of outputs[path]!.imports) if (!i.external && i.kind === 'import-statement') eager.add(i.path);
  const entryFile = join(repo, entryPath);
  const entryBytes = [...eager].reduce((sum, p) => sum + outputs[p]!.bytes, 0);
  const lazyBytes = Object.keys(outputs).filter((p) => !eager.has(p)).reduce((sum, p) => sum + outputs[p]!.bytes, 0);
  const imports = [...eager].flatMap((p) => outputs[p]!.imports.filter((i) => i.external).map((i) => `${i.path}${i.kind === 'dynamic-import' ? ' (lazy)' : ''}`));
  // What the eagerly loaded bytes are made of: jose, this adapter, the core, zod, ...
  const parts = new Map<string, number>();
  for (const p of eager) {
    for (const [input, v] of Object.entries(outputs[p]!.inputs)) {
      const part = input.replace(/^node_modules\/((@[^/]+\/)?[^/]+).*/, '$1').replace(/^adapters\/cloud-tasks\/.*/, 'adapters/cloud-tasks').replace(/^src\/.*/, 'src (core)');
      parts.set(part, (parts.get(part) ?? 0) + v.bytesInOutput);
    }
  }
  const composition = Object.fromEntries([...parts].sort((a, b) => b[1] - a[1]));
  // The core alone (what every push or Lambda entry loads), bundled the same way: the entry
  // minus it is what the Cloud Tasks push handler adds.
  const coreEntry = join(work, 'core-only.ts');
  writeFileSync(coreEntry, `export { createPipeline } from ${JSON.stringify(join(repo, 'src/pipeline.ts'))};\n`);
  const coreDir = join(work, 'core');
  await esbuild.build({ entryPoints: { core: coreEntry }, bundle: true, minify: true, splitting: true, format: 'esm', platform: 'node', target: 'node24', outdir: coreDir, nodePaths: [join(repo, 'node_modules')], logLevel: 'silent' });
  const coreFile = join(coreDir, 'core.js');
  const empty = join(work, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  const emptyTs = join(work, 'empty.ts');
  writeFileSync(emptyTs, 'export const x: number = 1;\n');
  const source = join(repo, 'adapters/cloud-tasks/push.ts');

  const importOnce = (file: string, warm?: string): number => {
    const pre = warm ? `await import(${JSON.stringify(warm)});` : '';
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `${pre} const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`], { encoding: 'utf8', cwd: repo });
    if (child.status !== 0) throw new Error(`importing ${file} failed: ${child.stderr}`);
    return Number(child.stdout.trim());
  };
  const times = quick ? 5 : 25;
  const s = { bundle: [] as number[], core: [] as number[], empty: [] as number[], source: [] as number[], emptyTs: [] as number[] };
  for (let i = 0; i < times; i++) {
    s.bundle.push(importOnce(entryFile));
    s.core.push(importOnce(coreFile));
    s.empty.push(importOnce(empty));
    // The TypeScript loader starts with the first .ts import: warm it on an empty .ts first.
    s.source.push(importOnce(source, emptyTs));
    s.emptyTs.push(importOnce(join(work, 'empty.mjs'), emptyTs));
  }
  rmSync(work, { recursive: true, force: true });
  return {
    times,
    entryBytes,
    lazyBytes,
    composition,
    imports,
    emptyMs: median(s.empty),
    bundleMs: median(s.bundle),
    netMs: median(s.bundle.map((b, i) => b - s.empty[i]!)),
    coreMs: median(s.core.map((c, i) => c - s.empty[i]!)),
    beyondCoreMs: median(s.bundle.map((b, i) => b - s.core[i]!)),
    sourceNetMs: median(s.source.map((b, i) => b - s.emptyTs[i]!)),
  };
}
