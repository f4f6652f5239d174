// HTTP for photos. Thin: each route reads the request, calls a use case, writes the answer.
// Mount at the application root; `/media/*` must stay outside the authentication middleware.
import path from 'node:path';
import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import type { Actor } from '../../shared/post';
import type { MediaDeps } from './deps';
import { removePhoto, UpdatePhotoInput, updatePhoto } from './edit-photo';
import { getPhoto, listPostPhotos } from './read-photos';
import { serveRendition } from './serve-media';
import { WatermarkSettings, removeUnitWatermark, setUnitWatermark } from './unit-watermark';
import { uploadPhoto } from './upload-photo';

const Id = z.uuid();

const UploadQuery = z.strictObject({
  postId: Id.optional(),
  unitId: Id.optional(),
  fit: z.enum(['crop', 'pad']).optional(),
  alt: z.string().max(1000).optional(),
  filename: z.string().max(255).optional(),
  /** The answer's language, as on every other route (?lang=en). */
  lang: z.string().max(10).optional(),
});

const ListQuery = z.strictObject({ postId: Id, lang: z.string().max(10).optional() });

const FileQuery = z.object({
  expires: z.string().max(20).optional(),
  signature: z.string().max(100).optional(),
  /** Saved rather than shown, under this name (the file's own extension is added): the share page's "Unduh foto". */
  download: z.string().regex(/^[a-z0-9-]{1,80}$/).optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new AppError(
    'validation',
    'request.invalid',
    {
      id: `Permintaan tidak valid (${where}): ${result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      en: `Invalid request (${where}): ${result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    },
    { issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  );
}

function actorOf(req: Request): Actor {
  const actor = (req as Request & { actor?: Actor }).actor;
  if (!actor) throw new AppError('unauthenticated', 'auth.missing', { id: 'Belum masuk.', en: 'Not signed in.' });
  return actor;
}

function declaredSize(req: Request): number | undefined {
  const header = req.headers['content-length'];
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}

export function mediaRouter(deps: MediaDeps): Router {
  const router = Router();
  const json = express.json({ limit: '16kb' });

  router.post('/api/v1/photos', async (req: Request, res: Response) => {
    const actor = actorOf(req);
    const q = parse(UploadQuery, req.query, 'query');
    const photo = await uploadPhoto(deps, actor, {
      body: req,
      size: declaredSize(req),
      filename: q.filename ?? req.get('x-filename'),
      postId: q.postId,
      unitId: q.unitId,
      altText: q.alt,
      fit: q.fit,
    });
    res.status(201).location(`/api/v1/photos/${photo.id}`).json(photo);
  });

  router.get('/api/v1/photos', async (req: Request, res: Response) => {
    const actor = actorOf(req);
    const q = parse(ListQuery, req.query, 'query');
    res.json({ photos: await listPostPhotos(deps, actor, q.postId) });
  });

  router.get('/api/v1/photos/:id', async (req: Request, res: Response) => {
    res.json(await getPhoto(deps, actorOf(req), String(req.params.id)));
  });

  router.patch('/api/v1/photos/:id', json, async (req: Request, res: Response) => {
    const actor = actorOf(req);
    const input = parse(UpdatePhotoInput, req.body, 'body');
    res.json(await updatePhoto(deps, actor, String(req.params.id), input));
  });

  router.delete('/api/v1/photos/:id', async (req: Request, res: Response) => {
    await removePhoto(deps, actorOf(req), String(req.params.id));
    res.status(204).end();
  });

  router.put('/api/v1/units/:unitId/watermark', async (req: Request, res: Response) => {
    const actor = actorOf(req);
    const unitId = parse(Id, req.params.unitId, 'params');
    const settings = parse(WatermarkSettings, req.query, 'query');
    res.json(await setUnitWatermark(deps, actor, unitId, { body: req, size: declaredSize(req) }, settings));
  });

  router.delete('/api/v1/units/:unitId/watermark', async (req: Request, res: Response) => {
    const actor = actorOf(req);
    await removeUnitWatermark(deps, actor, parse(Id, req.params.unitId, 'params'));
    res.status(204).end();
  });

  router.get('/media/:name', async (req: Request, res: Response) => {
    const q = parse(FileQuery, req.query, 'query');
    const file = await serveRendition(deps, String(req.params.name), q);
    if (req.get('if-none-match') === file.etag) {
      file.stream.destroy();
      res.status(304).end();
      return;
    }
    res.set({
      'Content-Type': file.contentType,
      'Content-Length': String(file.bytes),
      'Cache-Control': file.cacheControl,
      ETag: file.etag,
      'X-Content-Type-Options': 'nosniff',
      ...(q.download ? { 'Content-Disposition': `attachment; filename="${q.download}${path.extname(String(req.params.name))}"` } : {}),
    });
    file.stream.on('error', () => res.destroy());
    file.stream.pipe(res);
  });

  return router;
}
