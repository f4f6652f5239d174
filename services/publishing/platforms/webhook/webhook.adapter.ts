// The signed webhook: POSTs the post as JSON; the delivery id lets a receiver drop duplicates.
import { classifyHost } from '../../../channels/webhook-address';
import { isoInZone } from '../../../../shared/time';
import { neverSent, errorCode } from '../../outbound';
import { type ConnectionReport, type PlatformAdapter, PlatformError, type PublishInput, type Verification } from '../../platform';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from './webhook-signature';

export function webhookPayload(input: PublishInput, now: Date) {
  return {
    event: 'post.published',
    deliveryId: input.targetId,
    post: {
      id: input.post.id,
      title: input.post.title,
      text: input.post.text,
      url: input.post.pageUrl,
      scheduledAt: input.post.scheduledAt.toISOString(),
      scheduledLocal: isoInZone(input.post.scheduledAt, input.post.unit.timeZone),
      unit: { slug: input.post.unit.slug, name: input.post.unit.name, timeZone: input.post.unit.timeZone },
      photos: input.photos.map((p) => ({ url: p.url, alt: p.altText, width: p.width, height: p.height, type: p.mime, bytes: p.bytes })),
      /** Where the post already went out on the unit's other channels. */
      links: input.links,
    },
    sentAt: now.toISOString(),
  };
}

interface WebhookCheckpoint {
  /** Set before the request leaves (by the claim itself): from then on it may have arrived. */
  sending: true;
}

const SENDING: WebhookCheckpoint = { sending: true };
/** An address check slower than this confirms the claim again before the delivery (far below JOB_LOCK_MS). */
const SLOW_CHECK_MS = 1000;

function isSending(checkpoint: unknown): boolean {
  return (checkpoint as WebhookCheckpoint | null | undefined)?.sending === true;
}

/** `timeoutMs` (WEBHOOK_TIMEOUT_MS): receivers get their own timeout, shorter than the platforms'. */
export function webhookAdapter(opts: { allowPrivateNetworks: boolean; timeoutMs: number }): PlatformAdapter<'webhook'> {
  return {
    kind: 'webhook',
    timeoutMs: opts.timeoutMs,
    photoInput: 'url',
    // The claim marks the delivery as leaving, which spares a write before every delivery. A worker that dies
    // between the claim and the request (the address check) leaves a delivery a supervisor confirms or sends again.
    claimCheckpoint: SENDING,
    async publish(input, ctx) {
      const url = ctx.channel.settings.url;
      const { secret } = ctx.channel.credentials.current();
      const checking = Date.now();
      try {
        await assertPublic(url, opts.allowPrivateNetworks);
      } catch (err) {
        // Nothing left: a retry may send freely.
        if (err instanceof PlatformError && err.kind === 'transient' && isSending(ctx.checkpoint)) await ctx.saveCheckpoint(null);
        throw err;
      }
      const now = new Date();
      // A slow address check (a name server that hangs) may have outlived the claim's quiet window: the save
      // checks the claim is still this worker's, and shows it alive, before anything is sent.
      if (!isSending(ctx.checkpoint) || now.getTime() - checking > SLOW_CHECK_MS) await ctx.saveCheckpoint(SENDING);
      let answer: { res: Response; text: string };
      try {
        answer = await deliver(url, secret, input.targetId, JSON.stringify(webhookPayload(input, now)), now, opts.timeoutMs);
      } catch (err) {
        if (err instanceof PlatformError && err.kind === 'transient') await ctx.saveCheckpoint(null);
        throw err;
      }
      const { res, text } = answer;
      if (res.ok) {
        const external = parseExternal(text);
        const id = external.id ?? input.targetId;
        return { externalId: id, url: external.url ?? null, ids: [id] };
      }
      // The receiver answered: it says it did not take the post.
      await ctx.saveCheckpoint(null);
      throw refusal(res, text);
    },
    async retract(input, ctx) {
      const url = ctx.channel.settings.url;
      await assertPublic(url, opts.allowPrivateNetworks);
      const now = new Date();
      const body = JSON.stringify({
        event: 'post.retracted',
        deliveryId: `${input.targetId}:retracted`,
        post: { id: input.post.id, url: input.post.pageUrl },
        reason: input.reason,
        retractedAt: input.retractedAt.toISOString(),
        sentAt: now.toISOString(),
      });
      // Its own delivery id, the same on every retry, so that a receiver drops a repeat.
      const { res, text } = await deliver(url, ctx.channel.credentials.current().secret, `${input.targetId}:retracted`, body, now, opts.timeoutMs);
      if (!res.ok) throw refusal(res, text);
    },
    verify(_input, ctx): Promise<Verification> {
      // A receiver cannot be asked; but a delivery that never left is safe to send.
      return Promise.resolve(
        isSending(ctx.checkpoint) ? { status: 'unknown', reason: 'a webhook receiver cannot be asked whether a delivery arrived' } : { status: 'not-published', checkpoint: undefined },
      );
    },
    async test(channel): Promise<ConnectionReport> {
      const url = channel.settings.url;
      try {
        await assertPublic(url, opts.allowPrivateNetworks);
      } catch (err) {
        return { ok: false, detail: { id: 'Alamat webhook tidak publik atau tidak dikenal.', en: err instanceof Error ? err.message : 'not a public address' } };
      }
      // A ping signed like a delivery: a receiver that refuses the signature is not ready for posts.
      const now = Math.floor(Date.now() / 1000);
      const body = JSON.stringify({ event: 'ping', sentAt: new Date().toISOString() });
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Siaran-Webhook/1',
            'x-siaran-event': 'ping',
            [SIGNATURE_HEADER]: signWebhook(channel.credentials.current().secret, now, body),
            [TIMESTAMP_HEADER]: String(now),
            [DELIVERY_HEADER]: 'ping',
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        if (res.ok) return { ok: true, accountName: new URL(url).host, detail: { id: `Penerima menjawab HTTP ${res.status}.`, en: `The receiver answered HTTP ${res.status}.` } };
        if (res.status === 401 || res.status === 403) {
          return { ok: false, detail: { id: `Penerima menolak tanda tangan (HTTP ${res.status}); periksa rahasia webhook.`, en: `The receiver refused the signature (HTTP ${res.status}); check the webhook secret.` } };
        }
        return { ok: false, detail: { id: `Penerima menjawab HTTP ${res.status}.`, en: `The receiver answered HTTP ${res.status}.` } };
      } catch (err) {
        const code = errorCode(err) ?? 'timeout';
        return { ok: false, detail: { id: `Penerima tidak dapat dihubungi (${code}).`, en: `The receiver cannot be reached (${code}).` } };
      }
    },
  };
}

/** One signed POST to the receiver; a failure that never reached it is transient, any other unknown. */
async function deliver(url: string, secret: string, deliveryId: string, body: string, now: Date, timeoutMs: number): Promise<{ res: Response; text: string }> {
  const timestamp = Math.floor(now.getTime() / 1000);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Siaran-Webhook/1',
        [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
        [TIMESTAMP_HEADER]: String(timestamp),
        [DELIVERY_HEADER]: deliveryId,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const code = errorCode(err) ?? (err instanceof Error ? err.name : 'error');
    if (neverSent(err)) throw new PlatformError('transient', `webhook unreachable (${code})`);
    throw new PlatformError('unknown-outcome', `webhook request ended without an answer (${code})`);
  }
  return { res, text: await res.text().catch(() => '') };
}

/** What a receiver's error answer means. */
function refusal(res: Response, text: string): PlatformError {
  if (res.status === 429) {
    const after = retryAfterMs(res.headers.get('retry-after'));
    return PlatformError.rateLimited('webhook receiver is rate limiting', after === undefined ? undefined : new Date(Date.now() + after));
  }
  if (res.status === 401 || res.status === 403) return new PlatformError('auth-expired', `webhook receiver refused the signature (HTTP ${res.status})`);
  // A receiver that answered with an error has said it did not take the post; the delivery id covers a lie.
  if (res.status >= 500 || res.status === 408) return new PlatformError('transient', `webhook answered HTTP ${res.status}`);
  return new PlatformError('rejected', `webhook answered HTTP ${res.status}: ${text.slice(0, 200)}`);
}

async function assertPublic(url: string, allowPrivateNetworks: boolean): Promise<void> {
  if (allowPrivateNetworks) return;
  // Checked at every delivery: a name may have been pointed inward since the channel was added.
  const verdict = await classifyHost(new URL(url));
  if (verdict === 'private') throw new PlatformError('rejected', 'webhook address leads into an internal network');
  if (verdict === 'unresolved') throw new PlatformError('transient', 'webhook host does not resolve');
}

function parseExternal(text: string): { id?: string; url?: string } {
  try {
    const json = JSON.parse(text) as unknown;
    if (json && typeof json === 'object') {
      const o = json as Record<string, unknown>;
      return {
        ...(typeof o.id === 'string' || typeof o.id === 'number' ? { id: String(o.id) } : {}),
        // Only a web address is kept: this link is shown to supervisors.
        ...(typeof o.url === 'string' && /^https?:\/\//i.test(o.url) ? { url: o.url } : {}),
      };
    }
  } catch {
    // A receiver may answer with anything; the delivery id stands in.
  }
  return {};
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
