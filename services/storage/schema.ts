// Row shapes of the tables, as the query builder sees them.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ChannelKind, ChannelOptions, PostStatus, Role, TargetStatus } from '../../shared/post';
import type { TimeZone } from '../../shared/time';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json<T> = ColumnType<T, string, string>;

export interface UnitsTable {
  id: string;
  slug: string;
  name: string;
  parent_id: string | null;
  time_zone: TimeZone;
  publishing_paused: ColumnType<boolean, boolean | undefined, boolean>;
  /** Posts marked sensitive, of this unit and below, need a second approval from a unit above the first. */
  two_approvals_for_sensitive: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  unit_id: string;
  role: Role;
  password_hash: string | null;
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  token_hash: string;
  label: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface ChannelsTable {
  id: string;
  unit_id: string;
  kind: ChannelKind;
  name: string;
  settings: Json<Record<string, unknown>>;
  secret_ciphertext: string | null;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  health: ColumnType<'connected' | 'needs_reconnect', 'connected' | 'needs_reconnect' | undefined, 'connected' | 'needs_reconnect'>;
  limited_until: Timestamp | null;
  /** A hold reason code (shared/channels/channel-words) while `limited_until` lies ahead. */
  limit_reason: string | null;
  last_error: string | null;
  last_error_at: Timestamp | null;
  account_name: string | null;
  token_expires_at: Timestamp | null;
  credentials_version: ColumnType<number, number | undefined, number>;
  refresh_lease_until: Timestamp | null;
  refresh_lease_token: string | null;
}

export interface PostsTable {
  id: string;
  unit_id: string;
  author_id: string;
  title: string;
  body: string;
  variants: Json<Record<string, string>>;
  channel_options: ColumnType<Record<string, ChannelOptions>, string | undefined, string>;
  status: PostStatus;
  scheduled_at: Timestamp;
  version: number;
  approved_by: string | null;
  approved_at: Timestamp | null;
  review_note: string | null;
  sensitive: ColumnType<boolean, boolean | undefined, boolean>;
  /** The first of two approvals, for the version it saw. */
  first_approved_by: ColumnType<string | null, string | null | undefined, string | null>;
  first_approved_unit_id: ColumnType<string | null, string | null | undefined, string | null>;
  first_approved_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  first_approved_version: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PostTargetsTable {
  id: string;
  post_id: string;
  channel_id: string;
  status: TargetStatus;
  attempts: ColumnType<number, number | undefined, number>;
  generation: ColumnType<number, number | undefined, number>;
  claimed_at: Timestamp | null;
  claim_token: string | null;
  published_at: Timestamp | null;
  external_id: string | null;
  external_url: string | null;
  last_error: string | null;
  /** A DeliveryErrorKind (shared/channels/delivery-words.ts) of the attempt that wrote `last_error`. */
  last_error_kind: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: Timestamp;
  checkpoint: ColumnType<unknown, string | null | undefined, string | null>;
  progress_at: Timestamp | null;
  held_reason: string | null;
  held_until: Timestamp | null;
  late_released: ColumnType<boolean, boolean | undefined, boolean>;
  retraction: 'pending' | 'retracting' | 'done' | 'failed' | 'unconfirmed' | 'unsupported' | null;
  retraction_error: string | null;
  retracted_at: Timestamp | null;
  external_ids: ColumnType<string[], string | undefined, string>;
}

export interface PublishAttemptsTable {
  id: Generated<string>;
  target_id: string;
  attempt: number;
  claim_token: string;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  outcome: 'published' | 'failed' | 'retry' | 'unconfirmed' | 'held' | null;
  error_kind: string | null;
  error: string | null;
}

export interface PostEventsTable {
  id: Generated<string>;
  post_id: string;
  actor_id: string | null;
  type: string;
  at: Timestamp;
  data: Json<Record<string, unknown>>;
}

export interface NewsItemsTable {
  post_id: string;
  unit_id: string;
  target_id: string;
  title: string;
  body: string;
  published_at: Timestamp;
  retracted_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface DB {
  units: UnitsTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  channels: ChannelsTable;
  posts: PostsTable;
  post_targets: PostTargetsTable;
  publish_attempts: PublishAttemptsTable;
  post_events: PostEventsTable;
  news_items: NewsItemsTable;
}

export type UnitRow = Selectable<UnitsTable>;
export type UserRow = Selectable<UsersTable>;
export type ChannelRow = Selectable<ChannelsTable>;
export type PostRow = Selectable<PostsTable>;
export type PostTargetRow = Selectable<PostTargetsTable>;
export type NewPost = Insertable<PostsTable>;
export type PostUpdate = Updateable<PostsTable>;

export interface PhotosTable {
  id: string;
  unit_id: string;
  post_id: string | null;
  uploaded_by: string;
  position: ColumnType<number, number | undefined, number>;
  alt_text: ColumnType<string, string | undefined, string>;
  fit: ColumnType<'crop' | 'pad', 'crop' | 'pad' | undefined, 'crop' | 'pad'>;
  original_key: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
  /** Difference hash of the photo (shared/rules/near-duplicates.ts), a signed 64-bit integer; null before 0013. */
  phash: ColumnType<string | null, string | null | undefined, string | null>;
  status: 'processing' | 'ready' | 'failed';
  error: string | null;
  version: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PhotoRenditionsTable {
  photo_id: string;
  /** Rendition name from shared/media/rendition-profiles: `x`, `news-960-webp`. */
  name: string;
  profile: string;
  photo_version: number;
  key: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  content_hash: string;
  created_at: CreatedAt;
}

export interface UnitWatermarksTable {
  unit_id: string;
  logo_key: string;
  corner: 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';
  opacity: number;
  scale: number;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  updated_by: string;
  updated_at: Timestamp;
}

// The media tables join DB by declaration merging, so this block stays separate from the rest.
/** A submitted post's text signature, for posts nearly the same (migrations/0013-similar-posts.ts). */
export interface PostFingerprintsTable {
  post_id: string;
  scope_id: string;
  submitted_at: Timestamp;
  /** int8[] as the driver gives it. */
  minhash: ColumnType<string[] | null, string | null, string | null>;
  bands: ColumnType<string[], string | undefined, string>;
}

/** Visits and shares of a published post per day (migrations/0014-amplification.ts). */
export interface AmplificationCountsTable {
  post_id: string;
  unit_id: string;
  /** The day in UTC, as the database's `date`. */
  day: ColumnType<Date | string, string, string>;
  kind: AmplificationKind;
  count: ColumnType<number, number | undefined, number>;
}

export type AmplificationKind = 'visit' | 'share_whatsapp' | 'share_copy' | 'photo';

/** A published target's latest figures on its platform (migrations/0015-engagement.ts); null: not given. */
export interface TargetEngagementTable {
  target_id: string;
  views: number | null;
  reactions: number | null;
  comments: number | null;
  reposts: number | null;
  gone: ColumnType<boolean, boolean | undefined, boolean>;
  collected_at: Timestamp;
}

/** A channel's audience as its platform last told it, and why the last collection failed. */
export interface ChannelAudienceTable {
  channel_id: string;
  followers: number | null;
  collected_at: Timestamp | null;
  last_error: string | null;
  last_error_at: Timestamp | null;
}

export type PlanImportStatus = 'queued' | 'checking' | 'importing' | 'done' | 'refused' | 'failed';

/** A large posting plan imported by a job (migrations/0016-plan-imports.ts). */
export interface PlanImportsTable {
  id: string;
  user_id: string;
  file_name: string;
  /** The file, until the import ends. */
  file: string | null;
  rows: number;
  status: PlanImportStatus;
  checked: ColumnType<number, number | undefined, number>;
  runs: ColumnType<number, number | undefined, number>;
  imported: ColumnType<number, number | undefined, number>;
  post_ids: ColumnType<string[] | null, string | null | undefined, string | null>;
  problems: ColumnType<unknown, string | null | undefined, string | null>;
  message: ColumnType<{ id: string; en: string } | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface DB {
  plan_imports: PlanImportsTable;
  target_engagement: TargetEngagementTable;
  channel_audience: ChannelAudienceTable;
  amplification_counts: AmplificationCountsTable;
  post_fingerprints: PostFingerprintsTable;
  photos: PhotosTable;
  photo_renditions: PhotoRenditionsTable;
  unit_watermarks: UnitWatermarksTable;
}

export type PhotoRow = Selectable<PhotosTable>;
export type PhotoRenditionRow = Selectable<PhotoRenditionsTable>;
export type UnitWatermarkRow = Selectable<UnitWatermarksTable>;

export interface WebSessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  /** `full` is signed in; `totp` waits for the second factor; `enroll` may only set up TOTP. */
  stage: 'full' | 'totp' | 'enroll' | 'password';
  created_at: CreatedAt;
  expires_at: Timestamp;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_start: Timestamp;
}

export interface WebSettingsTable {
  key: string;
  value: string;
  updated_at: Timestamp;
}

// The web tables join DB by declaration merging; the TOTP columns join the users table the same way.
export interface DB {
  web_sessions: WebSessionsTable;
  login_throttle: LoginThrottleTable;
  web_settings: WebSettingsTable;
  admin_events: AdminEventsTable;
}

export interface AdminEventsTable {
  id: Generated<string>;
  actor_id: string;
  type: string;
  subject_id: string | null;
  at: ColumnType<Date, Date | string | undefined, never>;
  data: ColumnType<Record<string, unknown>, string, never>;
}

export interface UsersTable {
  password_must_change: ColumnType<boolean, boolean | undefined, boolean>;
  approval_hold_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  totp_secret: ColumnType<string | null, string | null | undefined, string | null>;
  totp_last_step: ColumnType<string | null, number | string | null | undefined, number | string | null>;
}

export type WebSessionRow = Selectable<WebSessionsTable>;

export interface OAuthStatesTable {
  state_hash: string;
  /** `x`: X's consent page; `meta`: Facebook's dialog; `meta_pages`: the Pages it listed, waiting for the admin's pick; `instagram`: Instagram Login. */
  kind: 'x' | 'meta' | 'meta_pages' | 'instagram';
  unit_id: string;
  channel_id: string | null;
  user_id: string;
  verifier_sealed: string;
  redirect_uri: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

// The platform tables join DB by declaration merging, like the others.
export interface DB {
  oauth_states: OAuthStatesTable;
}

/** off, pending, sending, sent, unconfirmed, failed: see migrations/0011-notifications.ts. */
export type EmailState = 'off' | 'pending' | 'sending' | 'sent' | 'unconfirmed' | 'failed';

export interface NotificationsTable {
  id: Generated<string>;
  user_id: string;
  kind: string;
  post_id: string | null;
  channel_id: string | null;
  event_key: string;
  data: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  read_at: Timestamp | null;
  email: EmailState;
  email_attempts: ColumnType<number, number | undefined, number>;
  email_at: Timestamp | null;
  email_error: string | null;
}

// The notification table and the users' e-mail setting join DB by declaration merging, like the others.
export interface DB {
  notifications: NotificationsTable;
}

export interface UsersTable {
  email_notifications: ColumnType<boolean, boolean | undefined, boolean>;
}
