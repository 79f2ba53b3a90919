/** The v2beta2 API (pull queues and leases included), on the same state as v2. */
import type { ApiMethods } from './api-v2.ts';
import { unsupportedFilter } from './api-v2.ts';
import { viewOf } from './convert-v2.ts';
import { queueInputV2beta2, queueOutputV2beta2, taskInputV2beta2, taskOutputV2beta2, updateFieldsV2beta2, wantsStats } from './convert-v2beta2.ts';
import { unimplemented } from './errors.ts';
import { createIamMethods, type IamPolicies } from './iam.ts';
import { durationMs, timestampMs } from './proto-values.ts';
import type { CloudTasksService } from './service.ts';

export function createV2beta2Api(service: CloudTasksService, iam: IamPolicies): ApiMethods {
  return {
    ListQueues(req) {
      if (req.filter) throw unsupportedFilter();
      const result = service.listQueues(req.parent, { pageSize: req.pageSize, pageToken: req.pageToken });
      const stats = wantsStats(req.readMask);
      return { queues: result.items.map((q) => queueOutputV2beta2(q, stats ? service.queueStats(q) : undefined)), nextPageToken: result.nextPageToken };
    },
    GetQueue(req) {
      const queue = service.getQueue(req.name);
      return queueOutputV2beta2(queue, wantsStats(req.readMask) ? service.queueStats(queue) : undefined);
    },
    CreateQueue: (req) => queueOutputV2beta2(service.createQueue(req.parent, queueInputV2beta2(req.queue))),
    UpdateQueue: (req) =>
      queueOutputV2beta2(service.updateQueue(queueInputV2beta2(req.queue), updateFieldsV2beta2(req.updateMask))),
    DeleteQueue(req) {
      service.deleteQueue(req.name);
      return {};
    },
    PurgeQueue: (req) => queueOutputV2beta2(service.purgeQueue(req.name)),
    PauseQueue: (req) => queueOutputV2beta2(service.pauseQueue(req.name)),
    ResumeQueue: (req) => queueOutputV2beta2(service.resumeQueue(req.name)),
    UploadQueueYaml() {
      throw unimplemented('[cloud-tasks-emulator] UploadQueueYaml is not supported: create queues with CreateQueue.');
    },
    ListTasks(req) {
      const view = viewOf(req.responseView);
      const result = service.listTasks(req.parent, { pageSize: req.pageSize, pageToken: req.pageToken });
      return { tasks: result.items.map((t) => taskOutputV2beta2(t, view)), nextPageToken: result.nextPageToken };
    },
    GetTask: (req) => taskOutputV2beta2(service.getTask(req.name), viewOf(req.responseView)),
    CreateTask: (req) => taskOutputV2beta2(service.createTask(req.parent, taskInputV2beta2(req.task)), viewOf(req.responseView)),
    DeleteTask(req) {
      service.deleteTask(req.name);
      return {};
    },
    LeaseTasks(req) {
      const view = viewOf(req.responseView);
      const leased = service.leaseTasks(req.parent, {
        maxTasks: req.maxTasks ?? undefined,
        leaseDurationMs: durationMs(req.leaseDuration),
        filter: req.filter ?? undefined,
      });
      return { tasks: leased.map((t) => taskOutputV2beta2(t, view)) };
    },
    AcknowledgeTask(req) {
      service.acknowledgeTask(req.name, timestampMs(req.scheduleTime));
      return {};
    },
    RenewLease: (req) =>
      taskOutputV2beta2(service.renewLease(req.name, timestampMs(req.scheduleTime), durationMs(req.leaseDuration)), viewOf(req.responseView)),
    CancelLease: (req) => taskOutputV2beta2(service.cancelLease(req.name, timestampMs(req.scheduleTime)), viewOf(req.responseView)),
    RunTask: (req) => taskOutputV2beta2(service.runTask(req.name), viewOf(req.responseView)),
    ...createIamMethods(service, iam),
  };
}
