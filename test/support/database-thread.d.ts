/** Stops every embedded database thread still running, as a crash of the thread would. */
export function stopDatabaseThreads(): Promise<void>;
