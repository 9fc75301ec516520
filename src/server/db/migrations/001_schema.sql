-- Programs, their people and keys.
CREATE TABLE programs (
  id bigserial PRIMARY KEY,
  key text NOT NULL UNIQUE,
  name text NOT NULL,
  currency text NOT NULL DEFAULT 'USD',
  -- groups, tiers, partner_fields, currency_rates: what extends the import spec
  catalogue jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id bigserial PRIMARY KEY,
  program_id bigint NOT NULL REFERENCES programs (id),
  email text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'technical', 'custom', 'partner')),
  permissions text[] NOT NULL DEFAULT '{}',
  partner_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (program_id, email)
);

CREATE TABLE api_keys (
  id bigserial PRIMARY KEY,
  program_id bigint NOT NULL REFERENCES programs (id),
  user_id bigint NOT NULL REFERENCES users (id),
  key_hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

-- The program's data.
CREATE TABLE partners (
  id bigserial PRIMARY KEY,
  program_id bigint NOT NULL REFERENCES programs (id),
  key text NOT NULL,
  email text NOT NULL,
  first_name text,
  last_name text,
  joined_date date,
  group_key text,
  tier_key text,
  tags text[] NOT NULL DEFAULT '{}',
  shipping_address_line1 text,
  shipping_address_line2 text,
  shipping_address_city text,
  shipping_address_state text,
  shipping_address_postal text,
  shipping_address_country text,
  fields jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (program_id, key),
  UNIQUE (program_id, email)
);

CREATE TABLE customers (
  id bigserial PRIMARY KEY,
  program_id bigint NOT NULL REFERENCES programs (id),
  key text NOT NULL,
  email text NOT NULL,
  partner_id bigint REFERENCES partners (id),
  name text,
  signed_up_on date,
  company_name text,
  state text,
  unit text,
  postal text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (program_id, key)
);
CREATE INDEX customers_email ON customers (program_id, email);

CREATE TABLE transactions (
  id bigserial PRIMARY KEY,
  program_id bigint NOT NULL REFERENCES programs (id),
  key text NOT NULL,
  customer_id bigint NOT NULL REFERENCES customers (id),
  amount bigint NOT NULL,
  currency text NOT NULL,
  happened_on date,
  category_key text,
  product_key text,
  metadata jsonb NOT NULL DEFAULT '{}',
  import_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (program_id, key)
);

CREATE TABLE rewards (
  id bigserial PRIMARY KEY,
  program_id bigint NOT NULL REFERENCES programs (id),
  partner_id bigint NOT NULL REFERENCES partners (id),
  amount_usd_cents bigint NOT NULL,
  original_amount_cents bigint NOT NULL,
  original_currency text NOT NULL,
  usd_per_unit double precision NOT NULL,
  body text NOT NULL,
  target_type text CHECK (target_type IN ('customer', 'transaction')),
  target_id bigint,
  rewarded_at timestamptz,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'declined', 'hold', 'approved', 'paid')),
  decline_reason text,
  is_external boolean NOT NULL DEFAULT false,
  import_id uuid,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rewards_partner ON rewards (program_id, partner_id);

CREATE TABLE leads (
  id bigserial PRIMARY KEY,
  program_id bigint NOT NULL REFERENCES programs (id),
  group_key text NOT NULL,
  partner_id bigint NOT NULL REFERENCES partners (id),
  email text NOT NULL,
  first_name text NOT NULL,
  last_name text NOT NULL,
  status text NOT NULL DEFAULT 'open',
  external_key text,
  fields jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX leads_external_key ON leads (program_id, external_key) WHERE external_key IS NOT NULL;

CREATE TABLE deals (
  id bigserial PRIMARY KEY,
  program_id bigint NOT NULL REFERENCES programs (id),
  group_key text NOT NULL,
  external_key text NOT NULL,
  amount bigint NOT NULL,
  close_date date NOT NULL,
  stage text NOT NULL,
  partner_id bigint REFERENCES partners (id),
  account_name text,
  contact_first_name text,
  contact_last_name text,
  opened_on date,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (program_id, external_key)
);

-- Imports: one row each, a row per chunk holding its rows' results, and the keys seen in the import.
CREATE TABLE imports (
  id uuid PRIMARY KEY,
  program_id bigint NOT NULL REFERENCES programs (id),
  user_id bigint NOT NULL REFERENCES users (id),
  object text NOT NULL,
  options jsonb NOT NULL DEFAULT '{}',
  headers jsonb NOT NULL,
  total_rows integer,
  source jsonb NOT NULL DEFAULT '{}',
  client_token text,
  status text NOT NULL DEFAULT 'processing' CHECK (status IN ('processing', 'completed', 'cancelled', 'failed')),
  rows integer NOT NULL DEFAULT 0,
  created integer NOT NULL DEFAULT 0,
  updated integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  -- rewards: the money issued (or, in a dry run, that would be), in US cents
  issued_usd_cents bigint NOT NULL DEFAULT 0,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  UNIQUE (program_id, user_id, client_token)
);
CREATE INDEX imports_history ON imports (program_id, created_at DESC, id DESC);

CREATE TABLE import_chunks (
  import_id uuid NOT NULL REFERENCES imports (id),
  seq integer NOT NULL,
  first_row integer,
  results jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (import_id, seq)
);

CREATE TABLE import_keys (
  import_id uuid NOT NULL REFERENCES imports (id),
  field text NOT NULL,
  value text NOT NULL,
  row integer NOT NULL,
  PRIMARY KEY (import_id, field, value)
);

-- Partner invites, sent through SMTP_URL when it is set.
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  program_id bigint NOT NULL REFERENCES programs (id),
  kind text NOT NULL,
  to_email text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  import_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text
);

-- Append-only: who did what, when, from where.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  program_id bigint NOT NULL REFERENCES programs (id),
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor text NOT NULL,
  action text NOT NULL,
  object text,
  import_id uuid,
  options jsonb,
  source jsonb,
  counts jsonb,
  detail jsonb,
  ip text
);
CREATE INDEX audit_log_program ON audit_log (program_id, id DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP;
END;
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
