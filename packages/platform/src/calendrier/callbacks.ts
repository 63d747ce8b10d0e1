/** Resuming a step that waits on its task token (`.waitForTaskToken`). */
export interface TaskCallbacks {
  /** `SendTaskSuccess`; false when the token is no longer valid (the step timed out, or was resumed). */
  succeed(token: string, output: Record<string, unknown>): Promise<boolean>;
}
