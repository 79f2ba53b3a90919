/** Task operations of the v2 API (dispatch off), driven by the real @google-cloud/tasks client. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, failure, msOf, PARENT, queueName, startRig, ts, type Rig } from './helpers.ts';

let rig: Rig;
let queue: string;
beforeAll(async () => {
  rig = await startRig({ dispatch: false, clock: 'manual' });
});
afterAll(() => rig.close());
beforeEach(async () => {
  rig.emulator.reset();
  queue = queueName();
  await rig.client.createQueue({ parent: PARENT, queue: { name: queue } }, call);
});

const URL = 'https://worker.example.com/jobs';

describe('CreateTask', () => {
  it('creates an HTTP task with a generated name and the defaults', async () => {
    const [task] = await rig.client.createTask(
      { parent: queue, task: { httpRequest: { url: URL, body: Buffer.from('{"a":1}'), headers: { 'Content-Type': 'application/json' } } } },
      call,
    );
    expect(task.name).toMatch(new RegExp(`^${queue}/tasks/\\d{19}$`));
    expect(task.view).toBe('BASIC');
    expect(task.httpRequest?.httpMethod).toBe('POST');
    expect(task.httpRequest?.url).toBe(URL);
    // BASIC omits the body; the service adds its User-Agent.
    expect(task.httpRequest?.body?.length ?? 0).toBe(0);
    expect(task.httpRequest?.headers).toEqual({ 'Content-Type': 'application/json', 'User-Agent': 'Google-Cloud-Tasks' });
    expect(task.dispatchDeadline).toMatchObject({ seconds: '600' });
    expect(msOf(task.scheduleTime)).toBe(rig.emulator.clock.now());
    expect(task.dispatchCount).toBe(0);
  });

  it('returns the body in the FULL view of CreateTask, GetTask and ListTasks', async () => {
    const [created] = await rig.client.createTask(
      { parent: queue, task: { httpRequest: { url: URL, body: Buffer.from('payload') } }, responseView: 'FULL' },
      call,
    );
    expect(Buffer.from(created.httpRequest!.body as Uint8Array).toString()).toBe('payload');
    const [full] = await rig.client.getTask({ name: created.name, responseView: 'FULL' }, call);
    expect(full.view).toBe('FULL');
    expect(Buffer.from(full.httpRequest!.body as Uint8Array).toString()).toBe('payload');
    const [basic] = await rig.client.getTask({ name: created.name }, call);
    expect(basic.view).toBe('BASIC');
    expect(basic.httpRequest?.body?.length ?? 0).toBe(0);
    const [listedFull] = await rig.client.listTasks({ parent: queue, responseView: 'FULL' }, call);
    expect(Buffer.from(listedFull[0]!.httpRequest!.body as Uint8Array).toString()).toBe('payload');
    const [listedBasic] = await rig.client.listTasks({ parent: queue }, call);
    expect(listedBasic[0]!.httpRequest?.body?.length ?? 0).toBe(0);
  });

  it('keeps the method, headers, OIDC token, schedule time and dispatch deadline', async () => {
    const at = rig.emulator.clock.now() + 3_600_000;
    const name = `${queue}/tasks/job-1_a`;
    const [task] = await rig.client.createTask(
      {
        parent: queue,
        task: {
          name,
          httpRequest: {
            url: URL,
            httpMethod: 'PUT',
            headers: { 'X-Mixed-Case': 'kept', Host: 'dropped.example', 'X-CloudTasks-TaskName': 'forged' },
            oidcToken: { serviceAccountEmail: 'runner@jobferry-test.iam.gserviceaccount.com', audience: 'https://aud.example' },
          },
          scheduleTime: ts(at),
          dispatchDeadline: { seconds: 90 },
        },
      },
      call,
    );
    expect(task.name).toBe(name);
    expect(task.httpRequest?.httpMethod).toBe('PUT');
    expect(task.httpRequest?.headers).toEqual({ 'X-Mixed-Case': 'kept', 'User-Agent': 'Google-Cloud-Tasks' });
    expect(task.httpRequest?.oidcToken).toEqual({ serviceAccountEmail: 'runner@jobferry-test.iam.gserviceaccount.com', audience: 'https://aud.example' });
    expect(msOf(task.scheduleTime)).toBe(at);
    expect(task.dispatchDeadline).toMatchObject({ seconds: '90' });
  });

  it('moves a schedule time in the past to now', async () => {
    const [task] = await rig.client.createTask({ parent: queue, task: { httpRequest: { url: URL }, scheduleTime: ts(0) } }, call);
    expect(msOf(task.scheduleTime)).toBe(rig.emulator.clock.now());
  });

  it('refuses a schedule time more than 30 days ahead', async () => {
    const now = rig.emulator.clock.now();
    const ok = now + 30 * 86_400_000;
    await rig.client.createTask({ parent: queue, task: { httpRequest: { url: URL }, scheduleTime: ts(ok) } }, call);
    const late = now + 30 * 86_400_000 + 1000;
    expect(await failure(rig.client.createTask({ parent: queue, task: { httpRequest: { url: URL }, scheduleTime: ts(late) } }, call))).toEqual({
      code: 3,
      details: `The Task.scheduleTime, ${new Date(late).toISOString()}, is too far in the future. Schedule time must be no more than 720h in the future.`,
    });
  });

  it('refuses a dispatch deadline outside [15 s, 30 min]', async () => {
    for (const seconds of [14, 1801]) {
      const result = await failure(rig.client.createTask({ parent: queue, task: { httpRequest: { url: URL }, dispatchDeadline: { seconds } } }, call));
      expect(result.code, `${seconds}s`).toBe(3);
      expect(result.details).toContain('dispatchDeadline');
    }
    for (const seconds of [15, 1800]) {
      await rig.client.createTask({ parent: queue, task: { httpRequest: { url: URL }, dispatchDeadline: { seconds } } }, call);
    }
  });

  it('checks the URL and the body against the method', async () => {
    expect(await failure(rig.client.createTask({ parent: queue, task: { httpRequest: { url: '' } } }, call))).toEqual({ code: 3, details: 'HttpRequest.url is required.' });
    expect(await failure(rig.client.createTask({ parent: queue, task: { httpRequest: { url: 'ftp://x/y' } } }, call))).toEqual({
      code: 3,
      details: "HttpTarget.url must start with 'http://' or 'https://'.",
    });
    expect((await failure(rig.client.createTask({ parent: queue, task: { httpRequest: { url: URL, httpMethod: 'GET', body: Buffer.from('x') } } }, call))).code).toBe(3);
    expect((await failure(rig.client.createTask({ parent: queue, task: {} }, call))).code).toBe(3);
  });

  it('limits the task size to 1 MB', async () => {
    const big = Buffer.alloc(1024 * 1024, 'a');
    expect(await failure(rig.client.createTask({ parent: queue, task: { httpRequest: { url: URL, body: big } } }, call))).toEqual({
      code: 3,
      details: 'Task size too large',
    });
    const fits = Buffer.alloc(1024 * 1024 - 1024, 'a');
    const [task] = await rig.client.createTask({ parent: queue, task: { httpRequest: { url: URL, body: fits } }, responseView: 'FULL' }, call);
    expect((task.httpRequest!.body as Uint8Array).length).toBe(fits.length);
  });

  it('validates task names with the real character rules', async () => {
    expect(await failure(rig.client.createTask({ parent: queue, task: { name: `${queue}/tasks/not a valid id`, httpRequest: { url: URL } } }, call))).toEqual({
      code: 3,
      details:
        'Task ID "not a valid id" can contain only letters ([A-Za-z]), numbers ([0-9]), hyphens (-), or underscores (_). Task ID must between 1 and 500 characters.',
    });
    expect((await failure(rig.client.createTask({ parent: queue, task: { name: `${queue}/tasks/${'x'.repeat(501)}`, httpRequest: { url: URL } } }, call))).code).toBe(3);
    await rig.client.createTask({ parent: queue, task: { name: `${queue}/tasks/${'x'.repeat(500)}`, httpRequest: { url: URL } } }, call);
    expect(await failure(rig.client.createTask({ parent: queue, task: { name: `${queue}-other/tasks/t1`, httpRequest: { url: URL } } }, call))).toEqual({
      code: 3,
      details: `The queue name from request ('${queue}') must be the same as the queue name in the named task ('${queue}-other').`,
    });
    expect((await failure(rig.client.createTask({ parent: queue, task: { name: 'tasks/t1', httpRequest: { url: URL } } }, call))).code).toBe(3);
  });

  it('answers NOT_FOUND for a queue that does not exist', async () => {
    expect((await failure(rig.client.createTask({ parent: queueName('missing'), task: { httpRequest: { url: URL } } }, call))).code).toBe(5);
  });

  it('answers UNIMPLEMENTED for App Engine tasks, which it does not dispatch', async () => {
    expect((await failure(rig.client.createTask({ parent: queue, task: { appEngineHttpRequest: { relativeUri: '/x' } } }, call))).code).toBe(12);
  });
});

describe('named-task deduplication', () => {
  it('refuses a live name, and a deleted one for about an hour on the emulator clock', async () => {
    const name = `${queue}/tasks/dedupe-me`;
    const create = () => rig.client.createTask({ parent: queue, task: { name, httpRequest: { url: URL } } }, call);
    await create();
    expect(await failure(create())).toEqual({ code: 6, details: 'Requested entity already exists' });
    await rig.client.deleteTask({ name }, call);
    const recent = await failure(create());
    expect(recent.code).toBe(6);
    expect(recent.details).toMatch(/^The task cannot be created because a task with this name existed too recently\./);
    expect(await failure(rig.client.getTask({ name }, call))).toEqual({
      code: 5,
      details: 'The task no longer exists, though a task with this name existed recently. The task either successfully completed or was deleted.',
    });
    await rig.emulator.clock.advance(3_600_000 - 1000);
    expect((await failure(create())).code).toBe(6);
    await rig.emulator.clock.advance(1000);
    const [again] = await create();
    expect(again.name).toBe(name);
  });

  it('keeps a name taken after a purge as well', async () => {
    const name = `${queue}/tasks/purged`;
    await rig.client.createTask({ parent: queue, task: { name, httpRequest: { url: URL } } }, call);
    await rig.client.purgeQueue({ name: queue }, call);
    expect((await failure(rig.client.createTask({ parent: queue, task: { name, httpRequest: { url: URL } } }, call))).code).toBe(6);
  });
});

describe('task retention', () => {
  it('deletes a task 31 days after its creation, dispatched or not', async () => {
    await rig.client.pauseQueue({ name: queue }, call);
    const [task] = await rig.client.createTask({ parent: queue, task: { httpRequest: { url: URL }, scheduleTime: ts(rig.emulator.clock.now() + 29 * 86_400_000) } }, call);
    await rig.emulator.clock.advance(31 * 86_400_000 - 1000);
    expect((await rig.client.getTask({ name: task.name }, call))[0].name).toBe(task.name);
    await rig.emulator.clock.advance(1000);
    expect((await failure(rig.client.getTask({ name: task.name }, call))).code).toBe(5);
  });
});

describe('GetTask / ListTasks / DeleteTask', () => {
  it('pages through the tasks of a queue', async () => {
    for (let i = 0; i < 5; i++) {
      await rig.client.createTask({ parent: queue, task: { name: `${queue}/tasks/t${i}`, httpRequest: { url: URL } } }, call);
    }
    const names: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const [, , response] = await rig.client.listTasks({ parent: queue, pageSize: 2, pageToken }, { ...(call as object), autoPaginate: false } as never);
      names.push(...response!.tasks!.map((t) => t.name!));
      pageToken = response!.nextPageToken || undefined;
      pages += 1;
    } while (pageToken && pages < 10);
    expect(pages).toBe(3);
    expect(names).toEqual([0, 1, 2, 3, 4].map((i) => `${queue}/tasks/t${i}`));
  });

  it('deletes a task; NOT_FOUND for one that never existed', async () => {
    const [task] = await rig.client.createTask({ parent: queue, task: { httpRequest: { url: URL } } }, call);
    await rig.client.deleteTask({ name: task.name }, call);
    expect((await rig.client.listTasks({ parent: queue }, call))[0]).toEqual([]);
    expect(await failure(rig.client.deleteTask({ name: `${queue}/tasks/never` }, call))).toEqual({ code: 5, details: 'Requested entity was not found.' });
    expect(await failure(rig.client.getTask({ name: `${queue}/tasks/never` }, call))).toEqual({ code: 5, details: 'Requested entity was not found.' });
    expect((await failure(rig.client.getTask({ name: 'garbage' }, call))).code).toBe(3);
  });
});
