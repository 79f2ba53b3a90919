/** Header names jobferry adds to the tasks it creates (shared by the service and the push handler). */

/** Attempts used by earlier tasks of the same job, set when a task is re-created (retryBy 'job'). */
export const ATTEMPTS_BEFORE_HEADER = 'X-Jobferry-Attempts-Before';
