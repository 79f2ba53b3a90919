/**
 * The v2 API: each method takes the request message and returns the response message
 * (plain objects in proto-loader form), or throws a CloudTasksApiError. Shared by gRPC and REST.
 */
import type { CloudTasksService } from './service.ts';
import { queueInputV2, queueOutputV2, taskInputV2, taskOutputV2, updateFieldsV2, viewOf } from './convert-v2.ts';
import { unimplemented } from './errors.ts';
import { createIamMethods, type IamPolicies } from './iam.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- proto-loader objects are plain JSON-like values */
export type ApiMethods = Record<string, (request: Record<string, any>) => Record<string, any>>;

export function createV2Api(service: CloudTasksService, iam: IamPolicies): ApiMethods {
  return {
    ListQueues(req) {
      if (req.filter) throw unsupportedFilter();
      const result = service.listQueues(req.parent, { pageSize: req.pageSize, pageToken: req.pageToken });
      return { queues: result.items.map(queueOutputV2), nextPageToken: result.nextPageToken };
    },
    GetQueue: (req) => queueOutputV2(service.getQueue(req.name)),
    CreateQueue: (req) => queueOutputV2(service.createQueue(req.parent, queueInputV2(req.queue))),
    UpdateQueue: (req) => queueOutputV2(service.updateQueue(queueInputV2(req.queue), updateFieldsV2(req.updateMask))),
    DeleteQueue(req) {
      service.deleteQueue(req.name);
      return {};
    },
    PurgeQueue: (req) => queueOutputV2(service.purgeQueue(req.name)),
    PauseQueue: (req) => queueOutputV2(service.pauseQueue(req.name)),
    ResumeQueue: (req) => queueOutputV2(service.resumeQueue(req.name)),
    ListTasks(req) {
      const view = viewOf(req.responseView);
      const result = service.listTasks(req.parent, { pageSize: req.pageSize, pageToken: req.pageToken });
      return { tasks: result.items.map((t) => taskOutputV2(t, view)), nextPageToken: result.nextPageToken };
    },
    GetTask: (req) => taskOutputV2(service.getTask(req.name), viewOf(req.responseView)),
    CreateTask: (req) => taskOutputV2(service.createTask(req.parent, taskInputV2(req.task)), viewOf(req.responseView)),
    DeleteTask(req) {
      service.deleteTask(req.name);
      return {};
    },
    RunTask: (req) => taskOutputV2(service.runTask(req.name), viewOf(req.responseView)),
    ...createIamMethods(service, iam),
  };
}

export function unsupportedFilter() {
  return unimplemented('[cloud-tasks-emulator] ListQueues filter is not supported by the emulator; list without a filter.');
}
