// The signed webhook: POSTs the post as JSON; the delivery id lets a receiver drop duplicates.
import { classifyHost } from '../../services/channels/webhook-address';
import { isoInZone } from '../../shared/time';
import { PublishError, type PublishedRef, type Publisher, type PublishRequest } from './publisher';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from './webhook-signature';

// Failures that happen before a single byte reached the receiver.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT']);

export function webhookPayload(req: PublishRequest, now: Date) {
  return {
    event: 'post.published',
    deliveryId: req.targetId,
    post: {
      id: req.post.id,
      title: req.post.title,
      text: req.post.text,
      url: req.post.pageUrl,
      scheduledAt: req.post.scheduledAt.toISOString(),
      scheduledLocal: isoInZone(req.post.scheduledAt, req.post.unit.timeZone),
      unit: { slug: req.post.unit.slug, name: req.post.unit.name, timeZone: req.post.unit.timeZone },
      photos: req.photos.map((p) => ({ url: p.url, alt: p.altText, width: p.width, height: p.height, type: p.mime, bytes: p.bytes })),
    },
    sentAt: now.toISOString(),
  };
}

export class WebhookPublisher implements Publisher {
  readonly kind = 'webhook' as const;

  constructor(
    private readonly timeoutMs: number,
    private readonly allowPrivateNetworks = false,
  ) {}

  async publish(req: PublishRequest): Promise<PublishedRef> {
    const url = typeof req.channel.settings.url === 'string' ? req.channel.settings.url : undefined;
    if (!url || !req.channel.secret) throw new PublishError('rejected', 'webhook channel has no URL or secret');
    if (!this.allowPrivateNetworks) {
      // Checked at every delivery: a name may have been pointed inward since the channel was added.
      const verdict = await classifyHost(new URL(url));
      if (verdict === 'private') throw new PublishError('rejected', 'webhook address leads into an internal network');
      if (verdict === 'unresolved') throw new PublishError('transient', 'webhook host does not resolve');
    }
    const now = new Date();
    const body = JSON.stringify(webhookPayload(req, now));
    const timestamp = Math.floor(now.getTime() / 1000);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Siaran-Webhook/1',
          [SIGNATURE_HEADER]: signWebhook(req.channel.secret, timestamp, body),
          [TIMESTAMP_HEADER]: String(timestamp),
          [DELIVERY_HEADER]: req.targetId,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const code = errorCode(err);
      if (code && NOT_SENT.has(code)) throw new PublishError('transient', `webhook unreachable (${code})`);
      throw new PublishError('unknown-outcome', `webhook request ended without an answer (${code ?? describe(err)})`);
    }
    const text = await res.text().catch(() => '');
    if (res.ok) {
      const external = parseExternal(text);
      return { externalId: external.id ?? req.targetId, url: external.url ?? null };
    }
    if (res.status === 429) {
      throw new PublishError('rate-limited', 'webhook receiver is rate limiting', retryAfterMs(res.headers.get('retry-after')));
    }
    if (res.status === 401 || res.status === 403) {
      throw new PublishError('auth-expired', `webhook receiver refused the signature (HTTP ${res.status})`);
    }
    // A receiver that answered with an error has said it did not take the post; the delivery id covers a lie.
    if (res.status >= 500 || res.status === 408) throw new PublishError('transient', `webhook answered HTTP ${res.status}`);
    throw new PublishError('rejected', `webhook answered HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
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

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.name : 'error';
}
