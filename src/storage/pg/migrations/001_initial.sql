-- 001: every store of Trợ lý Giảm nghèo on PostgreSQL. Times are epoch milliseconds of the program's clock
-- (real time), the same readings the file stores keep, so expiry behaves identically on both backends.

-- Shared settings: the salt that hashes conversation ids (every instance must use the same one).
CREATE TABLE app_settings (
  name text PRIMARY KEY,
  value text NOT NULL,
  updated_ms bigint NOT NULL
);

-- Conversation sessions under salted hashes of conversation ids.
CREATE TABLE sessions (
  key text PRIMARY KEY,
  data jsonb NOT NULL,
  updated_ms bigint NOT NULL
);
CREATE INDEX sessions_updated_ms ON sessions (updated_ms);

-- Handled platform events (hashed ids), per channel scope, until they expire.
CREATE TABLE dedup_marks (
  scope text NOT NULL,
  id_hash text NOT NULL,
  expires_ms bigint NOT NULL,
  PRIMARY KEY (scope, id_hash)
);
CREATE INDEX dedup_marks_expires_ms ON dedup_marks (expires_ms);

-- Telegram button payloads longer than 64 bytes, under short content hashes.
CREATE TABLE payloads (
  id text PRIMARY KEY,
  payload text NOT NULL,
  used_ms bigint NOT NULL
);
CREATE INDEX payloads_used_ms ON payloads (used_ms);

-- Rotated secrets (Zalo OA tokens): the current copy and the previous good one.
CREATE TABLE secrets (
  name text PRIMARY KEY,
  current_doc text,
  previous_doc text,
  updated_ms bigint NOT NULL
);

-- Rate limit windows, shared by every instance.
CREATE TABLE rate_windows (
  key text PRIMARY KEY,
  start_ms bigint NOT NULL,
  window_ms integer NOT NULL,
  hits integer NOT NULL
);

-- The editors' inbox: masked questions, no user id. The fingerprint makes imports idempotent.
CREATE TABLE inbox_items (
  id bigserial PRIMARY KEY,
  fingerprint text NOT NULL UNIQUE,
  at text NOT NULL,
  channel text NOT NULL,
  kind text NOT NULL,
  topic text NOT NULL,
  confidence double precision NOT NULL,
  text text NOT NULL
);
CREATE INDEX inbox_items_at ON inbox_items (at);

-- Usage counts per day (Vietnam's civil date): dim 'total' and 'answered' (name ''), 'topic', 'channel'.
CREATE TABLE usage_counts (
  day text NOT NULL,
  dim text NOT NULL,
  name text NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (day, dim, name)
);

-- Statistics: every figure ever imported; a revised one keeps replaced_at. One row of state: the generation
-- (bumped by every import, so every instance re-reads at once) and whether the CSV seed was loaded.
CREATE TABLE stats_state (
  id integer PRIMARY KEY CHECK (id = 1),
  generation bigint NOT NULL,
  seeded_ms bigint
);
INSERT INTO stats_state (id, generation, seeded_ms) VALUES (1, 0, NULL);

CREATE TABLE stats_figures (
  id bigserial PRIMARY KEY,
  area_id text NOT NULL,
  indicator text NOT NULL,
  figure jsonb NOT NULL,
  recorded_at text NOT NULL,
  replaced_at text,
  -- 'seed' (data/stats.csv at first start), 'import' (npm run stats / admin chat), 'files' (npm run db -- import-files)
  origin text NOT NULL
);
CREATE INDEX stats_figures_area_indicator ON stats_figures (area_id, indicator);
