/** The CLI's help texts, one per command. */
const COMMON = `
Where it acts: --server URL (a running \`jobferry dev\`), else the transport of JOBFERRY_ADAPTER
(sqs, cloud-tasks with a queue named: reached directly); with the memory transport, or sqs /
cloud-tasks with no queue named (the dev app's emulators), the dev app on http://127.0.0.1:3000.

Exit codes: 0 done, 1 failed (unreachable, transport error), 2 bad usage or configuration,
3 input refused (unknown job, invalid payload).
`;

export const HELP: Record<string, string> = {
  main: `jobferry: background jobs for serverless workers

Usage: jobferry <command> [options]

Commands:
  dev                        run the jobs locally: pull worker, HTTP API, JSON logs
  enqueue <job> <json|@file> validate and send jobs (a file of many goes in batches)
  stats                      queue counts (ready, delayed, reserved, buried)
  buried                     buried jobs with their reasons
  kick                       move buried jobs back to ready
  forget <key>               forget the abandoned claim of a job buried in doubt (then kick)
  batch <id> [--watch]       a batch's progress (live bar with --watch); batch start <job> @file
  chain <id> [--watch]       a continuation chain's progress; chains check restarts stalled ones
  emulator sqs|cloud-tasks   start a local emulator for other processes
  help [command]             this text, or a command's

Run \`jobferry <command> --help\` for a command's options.
The jobs module: --jobs <file>, or "jobferry": { "jobs": "<file>" } in package.json.
Configuration: JOBFERRY_* environment variables (JOBFERRY_ADAPTER=memory|sqs|cloud-tasks, ...).
`,
  dev: `Usage: jobferry dev [--jobs file] [--port 3000] [--host 127.0.0.1] [--adapter name]

Runs the jobs of the jobs module on the configured transport (--adapter or JOBFERRY_ADAPTER,
default memory) and an HTTP API on host:port. memory: a pull worker. sqs with no
JOBFERRY_SQS_QUEUE_URL: fauxqs in this process, pushing through the Lambda event source
simulator. cloud-tasks with no JOBFERRY_CLOUD_TASKS_PROJECT / _QUEUE_ID: the Cloud Tasks
emulator in this process, dispatching to a local push handler (OIDC verified). A queue named
in the environment gets a pull worker instead. The HTTP API:
  POST /jobs/:name         JSON body = payload (?delayMs=&dedupeKey=&groupKey=&priority=)
  POST /jobs/:name/batch   JSON array of payloads
  GET  /jobs   GET /stats   GET /buried?max=N   POST /kick?max=N   GET /health
  POST /idempotency/forget?key=K
  POST /batches { job, payloads, id?, finished? }   GET /batches/:id   POST /batches/:id/cancel
  POST /batches/:id/finish   GET /chains/:id   POST /chains/check
Logs are JSON lines on stdout (JOBFERRY_LOG_LEVEL). SIGINT / SIGTERM stop it gracefully.
`,
  enqueue: `Usage: jobferry enqueue <job> <json | @file> [--server URL] [--jobs file]
                       [--delay-ms N] [--dedupe-key K] [--group-key G] [--priority P]

Validates the payload(s) against the job's schema, then sends them. <json> is one payload;
@file.json holds one payload or an array of payloads; @file.ndjson one payload per line.
Many payloads are sent in batches with a progress bar on stderr; nothing is sent if any
payload is invalid.
${COMMON}`,
  stats: `Usage: jobferry stats [--server URL]

Prints the queue's counts: ready, delayed, reserved, buried (approximate on SQS).
${COMMON}`,
  buried: `Usage: jobferry buried [--server URL] [--max 100]

Lists buried jobs with their reason, detail, attempt and time.
${COMMON}`,
  emulator: `Usage: jobferry emulator sqs [--port 9324] [--region us-east-1] [--queue name ...]
       jobferry emulator cloud-tasks [--port 8123] [--rest-port 8124] [--queue name ...] [--pull-queue name ...]

Starts an emulator on 127.0.0.1 until SIGINT / SIGTERM, and prints its endpoints (the last
line is JSON). sqs: fauxqs, the SQS JSON protocol of the AWS SDK; each --queue is created with
a dead-letter queue (a name ending in .fifo is a FIFO queue). cloud-tasks: jobferry's Cloud
Tasks emulator (gRPC v2 and v2beta2, REST, push dispatch with OIDC tokens, JWKS).
Run \`jobferry emulator cloud-tasks --help\` for all its options.
`,
  batch: `Usage: jobferry batch <id> [--watch] [--interval-ms 500] [--cancel] [--finish] [--server URL] [--jobs file]
       jobferry batch start <job> <json-array | @file> [--id ID] [--finished JOB] [--watch]

Shows a batch's progress: total, completed, failed (attempts exhausted), buried (poison),
cancelled (not run: the batch was cancelled) and done. --watch redraws a progress bar on
stderr until the batch is done and its finished job sent, then prints the counts.
--cancel stops the batch's pending jobs; --finish sends a done batch's finished job if its
sender failed. \`batch start\` validates the payloads (@file.json array, @file.ndjson lines)
and enqueues them as one batch of <job> (a job defined with { batch: { store } }).
${COMMON}`,
  chain: `Usage: jobferry chain <id> [--watch] [--server URL] [--jobs file]
       jobferry chains check [--server URL] [--jobs file]

chain: a continuation chain's state, link, checkpoint and progress (live with --watch).
chains check: the health check; chains with no live link and no checkpoint for their stall
time are sent again from their last checkpoint (safe to run from several places at once).
${COMMON}`,
  kick: `Usage: jobferry kick [--server URL] [--max N]

Moves buried jobs (all, or at most N) back to ready; each gets its full attempts again.
${COMMON}`,
  forget: `Usage: jobferry forget <key> [--server URL] [--jobs file]

Settles a job buried as idempotency-in-doubt (a job with idempotency: { ifAbandoned: 'bury' }
whose earlier run died holding its claim). First check that its side effect did NOT happen;
then forget its key (in the buried job's detail: "idempotency key <job>#<source>:<hex>: ...")
and kick it. Only an abandoned claim is forgotten: a completed job or a live claim is left as it
is (exit 1, and why). The key names the job; the store is the job's own, from the jobs module
(a memory store lives in the dev app: forget through it).
${COMMON}`,
};
