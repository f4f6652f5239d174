// The signed webhook: POSTs the post as JSON; the delivery id lets a receiver drop duplicates.
import { isoInZone } from '../../../../shared/time';
import { AddressRefused, type GuardedAnswer, RequestFailed, guardedPost, hostOnly, refuseUrl } from '../../guarded-request';
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
      // The lasting link, not the hour-long signed one: receivers keep what they are sent, and an archive or a
      // partner site showing the story must not end with dead photos an hour later.
      photos: input.photos.map((p) => ({ url: p.publicUrl, alt: p.altText, width: p.width, height: p.height, type: p.mime, bytes: p.bytes })),
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
    // between the claim and the request leaves a delivery a supervisor confirms or sends again.
    claimCheckpoint: SENDING,
    async publish(input, ctx) {
      const url = ctx.channel.settings.url;
      const { secret } = ctx.channel.credentials.current();
      // What is wrong with the address itself is known before anything could leave (a name's addresses are
      // judged during the connection's own look-up).
      const refused = refuseStored(url, opts);
      if (refused) {
        if (isSending(ctx.checkpoint)) await ctx.saveCheckpoint(null);
        throw new PlatformError('rejected', refused.message);
      }
      // The claim marked the delivery as leaving; a checkpoint cleared by an earlier attempt that never sent is set again.
      if (!isSending(ctx.checkpoint)) await ctx.saveCheckpoint(SENDING);
      const now = new Date();
      let answer: GuardedAnswer;
      try {
        answer = await deliver(url, secret, input.targetId, JSON.stringify(webhookPayload(input, now)), now, opts);
      } catch (err) {
        // Nothing left (refused, or never connected): a retry may send freely.
        if (err instanceof PlatformError && (err.kind === 'transient' || err.kind === 'rejected')) await ctx.saveCheckpoint(null);
        throw err;
      }
      if (answer.status >= 200 && answer.status < 300) {
        const external = parseExternal(answer.text);
        const id = external.id ?? input.targetId;
        return { externalId: id, url: external.url ?? null, ids: [id] };
      }
      // The receiver answered: it says it did not take the post.
      await ctx.saveCheckpoint(null);
      throw refusal(answer);
    },
    async retract(input, ctx) {
      const url = ctx.channel.settings.url;
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
      const answer = await deliver(url, ctx.channel.credentials.current().secret, `${input.targetId}:retracted`, body, now, opts);
      if (answer.status < 200 || answer.status >= 300) throw refusal(answer);
    },
    verify(_input, ctx): Promise<Verification> {
      // A receiver cannot be asked; but a delivery that never left is safe to send.
      return Promise.resolve(
        isSending(ctx.checkpoint) ? { status: 'unknown', reason: 'a webhook receiver cannot be asked whether a delivery arrived' } : { status: 'not-published', checkpoint: undefined },
      );
    },
    async test(channel): Promise<ConnectionReport> {
      const url = channel.settings.url;
      // A ping signed like a delivery: a receiver that refuses the signature is not ready for posts.
      const now = Math.floor(Date.now() / 1000);
      const body = JSON.stringify({ event: 'ping', sentAt: new Date().toISOString() });
      let res: GuardedAnswer;
      try {
        res = await guardedPost(url, { ...headers(channel.credentials.current().secret, now, body, 'ping'), 'x-siaran-event': 'ping' }, body, opts);
      } catch (err) {
        if (err instanceof AddressRefused) return { ok: false, detail: refusedWords(err) };
        const code = err instanceof RequestFailed ? err.code : 'error';
        return { ok: false, detail: { id: `Penerima tidak dapat dihubungi (${code}).`, en: `The receiver cannot be reached (${code}).` } };
      }
      if (res.status >= 200 && res.status < 300) return { ok: true, accountName: new URL(url).host, detail: { id: `Penerima menjawab HTTP ${res.status}.`, en: `The receiver answered HTTP ${res.status}.` } };
      if (res.status >= 300 && res.status < 400) {
        const to = redirectTarget(url, res.location);
        return {
          ok: false,
          detail: {
            id: `Alamat ini dialihkan ke ${to} (HTTP ${res.status}); Siaran tidak mengikuti pengalihan. Pakai alamat tujuan akhirnya: tambahkan webhook dengan alamat itu, lalu nonaktifkan webhook yang lama bila sudah ada.`,
            en: `The address redirects to ${to} (HTTP ${res.status}); Siaran does not follow redirects. Use the final address: add a webhook with it, then disable the old webhook if there is one.`,
          },
        };
      }
      if (res.status === 401 || res.status === 403) {
        return { ok: false, detail: { id: `Penerima menolak tanda tangan (HTTP ${res.status}); periksa rahasia webhook.`, en: `The receiver refused the signature (HTTP ${res.status}); check the webhook secret.` } };
      }
      return { ok: false, detail: { id: `Penerima menjawab HTTP ${res.status}.`, en: `The receiver answered HTTP ${res.status}.` } };
    },
  };
}

function refuseStored(url: string, opts: { allowPrivateNetworks: boolean }): AddressRefused | undefined {
  try {
    return refuseUrl(new URL(url), opts);
  } catch {
    return new AddressRefused('not-http', 'the webhook address is not a valid address');
  }
}

function headers(secret: string, timestamp: number, body: string, deliveryId: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Siaran-Webhook/1',
    [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
    [TIMESTAMP_HEADER]: String(timestamp),
    [DELIVERY_HEADER]: deliveryId,
  };
}

/** Where a redirect points, as the host and no more: its path or query may carry a token. */
function redirectTarget(url: string, location: string | undefined): string {
  if (!location) return 'another address';
  try {
    return hostOnly(new URL(location, url).toString());
  } catch {
    return 'another address';
  }
}

/** A refused address in words, for the admin who tests the channel. */
function refusedWords(err: AddressRefused): { id: string; en: string } {
  switch (err.reason) {
    case 'internal-address':
      return { id: 'Alamat webhook menuju jaringan internal; Siaran hanya mengirim ke alamat publik.', en: 'The webhook address leads into an internal network; Siaran sends to public addresses only.' };
    case 'credentials-in-url':
      return {
        id: 'Alamat webhook memuat nama pengguna dan kata sandi, yang tidak dikirim Siaran. Hapus keduanya dari alamat; penerima memeriksa tanda tangan dengan rahasia webhook.',
        en: 'The webhook address carries a user name and password, which Siaran does not send. Remove them from the address; the receiver checks the signature made with the webhook secret.',
      };
    case 'not-http':
      return { id: 'Alamat webhook bukan alamat http atau https.', en: 'The webhook address is not an http or https address.' };
  }
}

/**
 * One signed POST to the receiver. An address refused before sending is rejected (a person must change it); a
 * failure that never connected is transient; any other failure may have arrived, so its outcome is unknown.
 */
async function deliver(url: string, secret: string, deliveryId: string, body: string, now: Date, opts: { allowPrivateNetworks: boolean; timeoutMs: number }): Promise<GuardedAnswer> {
  try {
    return await guardedPost(url, headers(secret, Math.floor(now.getTime() / 1000), body, deliveryId), body, opts);
  } catch (err) {
    if (err instanceof AddressRefused) throw new PlatformError('rejected', err.message);
    const code = err instanceof RequestFailed ? err.code : 'error';
    if (err instanceof RequestFailed && !err.reached) throw new PlatformError('transient', `webhook unreachable (${code})`);
    throw new PlatformError('unknown-outcome', `webhook request ended without an answer (${code})`);
  }
}

/** What a receiver's error answer means. */
function refusal(res: GuardedAnswer): PlatformError {
  if (res.status === 429) {
    const after = retryAfterMs(res.retryAfter ?? null);
    return PlatformError.rateLimited('webhook receiver is rate limiting', after === undefined ? undefined : new Date(Date.now() + after));
  }
  if (res.status === 401 || res.status === 403) return new PlatformError('auth-expired', `webhook receiver refused the signature (HTTP ${res.status})`);
  // A receiver that answered with an error has said it did not take the post; the delivery id covers a lie.
  if (res.status >= 500 || res.status === 408) return new PlatformError('transient', `webhook answered HTTP ${res.status}`);
  if (res.status >= 300 && res.status < 400) {
    return new PlatformError('rejected', `the webhook address redirects (HTTP ${res.status}); Siaran does not follow redirects: add a webhook with the final address and disable this one`);
  }
  return new PlatformError('rejected', `webhook answered HTTP ${res.status}: ${res.text.slice(0, 200)}`);
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
