// The door for photos: streamed to a temp file under a byte limit, typed by its bytes, judged by its header
// (pixels, memory to decode), then fully decoded once in one of the process's decode slots. Whatever is
// refused leaves nothing behind.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../shared/errors';
import { SNIFF_BYTES, sniffType } from '../../shared/media/file-signature';
import { inspectImage } from '../../workers/media/image-processor';
import { DecodersBusy, type ImageEngine } from '../../workers/media/sharp-engine';
import { mediaErrors } from './media-errors';

export interface IntakeLimits {
  maxBytes: number;
  maxPixels: number;
  /** MEDIA_DECODE_MB in bytes. */
  decodeBudgetBytes: number;
}

export interface IntakeOptions extends IntakeLimits {
  /** Folder for uploads in flight; created when missing. */
  tmpDir: string;
  engine: ImageEngine;
}

export interface Declared {
  filename?: string | undefined;
  /** The Content-Length the client announced, if any. */
  size?: number | undefined;
}

export interface ReceivedPhoto {
  /** The temp file; the caller moves it into the store or removes it. */
  file: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
  hasAlpha: boolean;
  /** Its difference hash, for photos nearly the same (shared/rules/near-duplicates.ts). */
  photoHash: string;
}

class TooLarge extends Error {}

export async function receivePhoto(input: Readable, declared: Declared, opts: IntakeOptions): Promise<ReceivedPhoto> {
  if (declared.size !== undefined && declared.size > opts.maxBytes) {
    // Nothing is read: the client learns at once instead of after sending 100 MB over a slow line.
    input.resume();
    throw mediaErrors.tooLarge(opts.maxBytes);
  }
  await fs.mkdir(opts.tmpDir, { recursive: true });
  const file = path.join(opts.tmpDir, `upload-${randomUUID()}`);
  try {
    const received = await streamToFile(input, file, opts.maxBytes);
    if (received.bytes === 0) throw mediaErrors.empty();
    if (declared.size !== undefined && received.bytes < declared.size) {
      throw mediaErrors.incomplete(declared.size, received.bytes);
    }
    const sniffed = sniffType(received.head);
    if (sniffed.kind === 'refused') {
      // An animated GIF gets the message about animation, which tells the operator what to send instead.
      if (sniffed.what === 'gif') await refuseIfAnimated(opts.engine, file);
      throw mediaErrors.unsupportedType(sniffed.what);
    }
    if (sniffed.kind === 'unknown') throw mediaErrors.unsupportedType('unknown');

    const inspection = await inspectImage(opts.engine, file, { maxPixels: opts.maxPixels, decodeBudgetBytes: opts.decodeBudgetBytes });
    if (!inspection.ok) {
      switch (inspection.reason) {
        case 'too_many_pixels':
          throw mediaErrors.tooManyPixels(inspection.width, inspection.height, opts.maxPixels);
        case 'too_much_memory':
          throw mediaErrors.tooMuchMemory(inspection);
        case 'animated':
          throw mediaErrors.animated(inspection.pages);
        case 'corrupt':
          // A HEIC file that is whole but undecodable means this libvips has no HEVC decoder.
          throw sniffed.type === 'heic' ? mediaErrors.heicUnsupported() : mediaErrors.corrupt();
      }
    }
    return {
      file,
      mime: sniffed.mime,
      width: inspection.width,
      height: inspection.height,
      bytes: received.bytes,
      sha256: received.sha256,
      hasAlpha: inspection.hasAlpha,
      photoHash: inspection.photoHash,
    };
  } catch (e) {
    await fs.rm(file, { force: true });
    if (e instanceof TooLarge) throw mediaErrors.tooLarge(opts.maxBytes);
    if (e instanceof AppError) throw e;
    if (e instanceof DecodersBusy) throw mediaErrors.busy();
    if (isAbort(e)) throw mediaErrors.incomplete(declared.size ?? 0, 0);
    throw e;
  }
}

async function refuseIfAnimated(engine: ImageEngine, file: string): Promise<void> {
  const pages = await engine
    .open(file, { limitInputPixels: false })
    .metadata()
    .then((m) => m.pages ?? 1, () => 1);
  if (pages > 1) throw mediaErrors.animated(pages);
}

async function streamToFile(
  input: Readable,
  file: string,
  maxBytes: number,
): Promise<{ bytes: number; sha256: string; head: Buffer }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const headParts: Buffer[] = [];
  let headBytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        done(new TooLarge());
        return;
      }
      if (headBytes < SNIFF_BYTES) {
        headParts.push(chunk.subarray(0, SNIFF_BYTES - headBytes));
        headBytes += Math.min(chunk.length, SNIFF_BYTES - headBytes);
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  // The request is piped rather than part of the pipeline, so a refusal does not destroy it:
  // the rest of an oversized body is drained and the client still reads a clear answer.
  const onInputError = (e: Error) => meter.destroy(e);
  const onAborted = () => meter.destroy(Object.assign(new Error('upload aborted'), { code: 'ECONNRESET' }));
  input.on('error', onInputError);
  input.on('aborted', onAborted);
  input.pipe(meter);
  try {
    await pipeline(meter, createWriteStream(file, { flags: 'wx' }));
  } catch (e) {
    input.unpipe(meter);
    input.resume();
    throw e;
  } finally {
    input.off('error', onInputError);
    input.off('aborted', onAborted);
  }
  return { bytes, sha256: hash.digest('hex'), head: Buffer.concat(headParts) };
}

function isAbort(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR';
}
