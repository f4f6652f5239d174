// The media queue: one job per photo version, with an id fixed by both, carrying ids only.
import { type ConnectionOptions, Queue } from 'bullmq';
import type { RenditionQueue } from '../../services/media/deps';

export const MEDIA_QUEUE = 'media';
export const RENDER_JOB = 'render';

export interface RenderJobData {
  photoId: string;
  version: number;
}

export function renderJobId(photoId: string, version: number): string {
  return `photo-${photoId}-v${version}`;
}

export interface MediaQueueOptions {
  connection: ConnectionOptions;
  prefix: string;
  /** Tries per job before the photo is marked failed. Default 3. */
  attempts?: number;
}

export class MediaQueue implements RenditionQueue {
  readonly queue: Queue<RenderJobData>;

  constructor(private readonly opts: MediaQueueOptions) {
    this.queue = new Queue<RenderJobData>(MEDIA_QUEUE, { connection: opts.connection, prefix: opts.prefix });
    // Errors surface on the calls themselves; an idle disconnected queue must not crash the process.
    this.queue.on('error', () => undefined);
  }

  async enqueue(photoId: string, version: number): Promise<void> {
    // The same id while a job waits means a second request for it is dropped; once done the id is free
    // again, so a post gaining a channel can ask for the missing renditions of the same version.
    await this.queue.add(
      RENDER_JOB,
      { photoId, version },
      {
        jobId: renderJobId(photoId, version),
        attempts: this.opts.attempts ?? 3,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
