// The post's vocabulary: one zod schema gives each type.
import { z } from 'zod';
import { TIME_ZONE_IDS } from './time';

export const TimeZoneSchema = z.enum(TIME_ZONE_IDS);

export const Role = z.enum(['operator', 'supervisor', 'admin']);
export type Role = z.infer<typeof Role>;

/**
 * Kinds of channel a unit can publish to. Start-up refuses to run unless every kind has a platform adapter,
 * so a kind joins this list together with its adapter.
 */
export const ChannelKind = z.enum(['news_page', 'webhook', 'x', 'telegram', 'facebook', 'instagram']);
export type ChannelKind = z.infer<typeof ChannelKind>;

/** Every platform the photo renditions are made for. */
export type PlatformKind = ChannelKind;

export const PostStatus = z.enum([
  'draft',
  'pending_approval',
  'scheduled',
  'publishing',
  'published',
  'failed',
  'unconfirmed',
  'rejected',
  'cancelled',
  'expired',
  /** Published, then taken back by a supervisor. */
  'retracted',
]);
export type PostStatus = z.infer<typeof PostStatus>;

export const TargetStatus = z.enum([
  'pending',
  'scheduled',
  /** Waiting on its channel (rate limit, re-connection, disabled); uses none of its attempts. */
  'held',
  'publishing',
  'published',
  'failed',
  'unconfirmed',
  'cancelled',
]);
export type TargetStatus = z.infer<typeof TargetStatus>;


export const TITLE_MAX = 200;
export const BODY_MAX = 20_000;
export const NOTE_MAX = 2_000;
export const CHANNELS_MAX = 20;

const Id = z.uuid({ message: 'must be an id (UUID)' });

export const ChannelOptions = z.strictObject({ thread: z.boolean().optional() });
export type ChannelOptions = z.infer<typeof ChannelOptions>;

/** Fields a person writes; shared by create and update. */
export const PostContent = z.strictObject({
  title: z.string().max(TITLE_MAX),
  body: z.string().max(BODY_MAX),
  channelIds: z.array(Id).max(CHANNELS_MAX),
  /** Per-channel text replacing `body` on that channel. */
  variants: z
    .record(Id, z.string().max(BODY_MAX))
    // One per channel at most: every text is checked by the content rules, so their number is bounded.
    .refine((r) => Object.keys(r).length <= CHANNELS_MAX, { message: `at most ${CHANNELS_MAX} channel texts` })
    .default({}),
  /** Per-channel choices of the author: `thread` lets an over-long X text go out as a thread. */
  channelOptions: z
    .record(Id, ChannelOptions)
    .refine((r) => Object.keys(r).length <= CHANNELS_MAX, { message: `at most ${CHANNELS_MAX} channel options` })
    .default({}),
  /** ISO 8601; without an offset it is read in the unit's zone. */
  scheduledAt: z.string().min(1).max(40),
});
export type PostContent = z.infer<typeof PostContent>;

export const CreatePostInput = PostContent.extend({
  /** The unit the post speaks for; defaults to the author's unit. */
  unitId: Id.optional(),
}).strict();
export type CreatePostInput = z.infer<typeof CreatePostInput>;

export const UpdatePostInput = PostContent.partial()
  .extend({
    /** The version the editor saw; a mismatch is a conflict instead of a lost update. */
    expectedVersion: z.number().int().positive().optional(),
  })
  .strict();
export type UpdatePostInput = z.infer<typeof UpdatePostInput>;

export const ApproveInput = z.strictObject({
  note: z.string().max(NOTE_MAX).optional(),
  /** The version the supervisor saw: an approval is of that version, never of whatever is there now. */
  expectedVersion: z.number({ message: 'name the version you approve (expectedVersion)' }).int().positive(),
  /** Each warning the supervisor goes ahead despite, with why; kept in the history. A block cannot be overridden. */
  overrides: z.array(z.strictObject({ code: z.string().min(1).max(100), reason: z.string().trim().min(3).max(NOTE_MAX) })).max(50).default([]),
});
export const RejectInput = z.strictObject({
  note: z.string().trim().min(1, 'a rejection needs a note').max(NOTE_MAX),
});
export const SensitivityInput = z.strictObject({ sensitive: z.boolean(), expectedVersion: z.number().int().positive().optional() });
export const CancelInput = z.strictObject({ note: z.string().max(NOTE_MAX).optional() });
export const RetractInput = z.strictObject({ reason: z.string().trim().min(3, 'say why the post is taken back').max(NOTE_MAX) });
export const RescheduleInput = z.strictObject({ scheduledAt: z.string().min(1).max(40) });

export const ListPostsQuery = z.strictObject({
  unitId: Id.optional(),
  includeDescendants: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  status: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',') : undefined))
    .pipe(z.array(PostStatus).optional()),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export type ListPostsQuery = z.infer<typeof ListPostsQuery>;

export interface Post {
  id: string;
  unitId: string;
  authorId: string;
  title: string;
  body: string;
  variants: Record<string, string>;
  channelOptions: Record<string, ChannelOptions>;
  status: PostStatus;
  scheduledAt: Date;
  version: number;
  approvedBy: string | null;
  approvedAt: Date | null;
  reviewNote: string | null;
  /** Marked sensitive: where the unit tree asks for it, approved twice (services/posts/review-post.ts). */
  sensitive: boolean;
  /** The first of two approvals; it counts only for the version it names. */
  firstApproval: { by: string; unitId: string; at: Date; version: number } | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PostTarget {
  id: string;
  postId: string;
  channelId: string;
  channelKind: ChannelKind;
  status: TargetStatus;
  attempts: number;
  generation: number;
  claimedAt: Date | null;
  publishedAt: Date | null;
  externalId: string | null;
  externalUrl: string | null;
  /** Every id the platform gave (thread parts, album messages), the first being `externalId`. */
  externalIds: string[];
  lastError: string | null;
  /** The kind of error that wrote `lastError` (shared/channels/delivery-words.ts). */
  lastErrorKind: string | null;
  /** Why a `held` target waits (a code of shared/channels/channel-words), and until when where known. */
  heldReason: string | null;
  heldUntil: Date | null;
  /** Taking it back after it went out: pending, retracting, done, failed, unconfirmed, unsupported. */
  retraction: string | null;
  retractionError: string | null;
}

export interface Actor {
  id: string;
  role: Role;
  unitId: string;
}
