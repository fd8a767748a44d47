-- table app_settings
  key text NOT NULL
  value text NOT NULL
  updated_at timestamp with time zone NOT NULL

-- table audit_log
  id bigint NOT NULL
  actor_id bigint NOT NULL DEFAULT 0
  action text NOT NULL
  subject text NOT NULL DEFAULT ''::text
  detail text NOT NULL DEFAULT ''::text
  ip text NOT NULL DEFAULT ''::text
  request_id text NOT NULL DEFAULT ''::text
  created_at timestamp with time zone NOT NULL
  changes text NOT NULL DEFAULT ''::text

-- table backup_codes
  id bigint NOT NULL
  user_id bigint NOT NULL
  salt bytea NOT NULL
  code_hash bytea NOT NULL
  used_at timestamp with time zone
  created_at timestamp with time zone NOT NULL

-- table booking_moves
  id bigint NOT NULL
  booking_id bigint NOT NULL
  from_slot_id bigint NOT NULL
  to_slot_id bigint NOT NULL
  state text NOT NULL
  free boolean NOT NULL DEFAULT false
  fee_minor bigint NOT NULL DEFAULT 0
  currency text NOT NULL
  payment_id bigint
  failure text NOT NULL DEFAULT ''::text
  actor_id bigint
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL
  done_at timestamp with time zone

-- table bookings
  id bigint NOT NULL
  reference text NOT NULL
  user_id bigint NOT NULL
  exam_id bigint NOT NULL
  slot_id bigint NOT NULL
  state text NOT NULL
  language text NOT NULL
  hold_expires_at timestamp with time zone
  price_minor bigint NOT NULL
  discount_minor bigint NOT NULL DEFAULT 0
  currency text NOT NULL
  voucher_id bigint
  voucher_released_at timestamp with time zone
  payment_id bigint
  policy text NOT NULL
  reschedules integer NOT NULL DEFAULT 0
  free_reschedule boolean NOT NULL DEFAULT false
  rules_version text NOT NULL DEFAULT ''::text
  privacy_version text NOT NULL DEFAULT ''::text
  agreed_at timestamp with time zone
  system_checked_at timestamp with time zone
  confirmed_at timestamp with time zone
  cancelled_at timestamp with time zone
  cancelled_by bigint
  cancel_reason text NOT NULL DEFAULT ''::text
  no_show_at timestamp with time zone
  no_show_kind text NOT NULL DEFAULT ''::text
  checked_in_at timestamp with time zone
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL
  hold_ip text NOT NULL DEFAULT ''::text
  charged_minor bigint NOT NULL DEFAULT 0
  delivered_at timestamp with time zone

-- table ce_activity_types
  id bigint NOT NULL
  code text NOT NULL
  current_version integer NOT NULL
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL

-- table ce_activity_versions
  id bigint NOT NULL
  type_id bigint NOT NULL
  version integer NOT NULL
  grp text NOT NULL
  texts text NOT NULL
  rule text NOT NULL
  unit_minutes integer NOT NULL
  per_unit integer NOT NULL
  min_credits integer NOT NULL
  max_credits integer NOT NULL
  cap_activity integer NOT NULL
  cap_cycle integer NOT NULL
  required_fields text NOT NULL DEFAULT ''::text
  min_evidence integer NOT NULL
  attestation boolean NOT NULL DEFAULT false
  counts_for text NOT NULL
  counts_list text NOT NULL DEFAULT ''::text
  active_from text
  active_until text
  deadline_days integer NOT NULL
  created_by bigint
  created_at timestamp with time zone NOT NULL

-- table ce_evidence
  submission_id bigint NOT NULL
  upload_id bigint NOT NULL
  added_at timestamp with time zone NOT NULL

-- table ce_ledger
  id bigint NOT NULL
  user_id bigint NOT NULL
  user_certification_id bigint NOT NULL
  submission_id bigint NOT NULL
  type_id bigint NOT NULL
  kind text NOT NULL
  decision integer NOT NULL
  credits integer NOT NULL
  completed_on text NOT NULL
  reverses_id bigint
  consumes_id bigint
  renewal_id bigint
  created_at timestamp with time zone NOT NULL

-- table ce_renewal_flags
  id bigint NOT NULL
  renewal_id bigint NOT NULL
  submission_id bigint NOT NULL
  reason text NOT NULL
  created_at timestamp with time zone NOT NULL
  resolved_at timestamp with time zone
  resolution text
  resolution_note text NOT NULL DEFAULT ''::text
  resolved_by bigint
  credits_short integer NOT NULL DEFAULT 0

-- table ce_requirements
  certification_id bigint NOT NULL
  spec text NOT NULL
  updated_at timestamp with time zone NOT NULL

-- table ce_submissions
  id bigint NOT NULL
  user_id bigint NOT NULL
  type_id bigint NOT NULL
  version_id bigint NOT NULL
  state text NOT NULL
  title text NOT NULL
  provider text NOT NULL DEFAULT ''::text
  completed_on text NOT NULL
  duration_minutes integer NOT NULL DEFAULT 0
  url text NOT NULL DEFAULT ''::text
  notes text NOT NULL DEFAULT ''::text
  attested boolean NOT NULL DEFAULT false
  claimed integer NOT NULL
  granted integer NOT NULL DEFAULT 0
  certification_id bigint
  flagged boolean NOT NULL DEFAULT false
  assignee_id bigint
  reason_code text NOT NULL DEFAULT ''::text
  reason_text text NOT NULL DEFAULT ''::text
  target_on text
  paused_at timestamp with time zone
  submitted_at timestamp with time zone
  decided_at timestamp with time zone
  decided_by bigint
  decided_role text NOT NULL DEFAULT ''::text
  decisions integer NOT NULL DEFAULT 0
  denied_by bigint
  appeal_comment text NOT NULL DEFAULT ''::text
  appealed_at timestamp with time zone
  reversed_at timestamp with time zone
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL

-- table center_closures
  center_id bigint NOT NULL
  day text NOT NULL
  reason text NOT NULL DEFAULT ''::text
  created_at timestamp with time zone NOT NULL

-- table certification_exams
  certification_id bigint NOT NULL
  exam_id bigint NOT NULL
  path text NOT NULL

-- table certification_reminders
  id bigint NOT NULL
  user_certification_id bigint NOT NULL
  expires_on text NOT NULL
  months_before integer NOT NULL
  cycle integer NOT NULL
  missing integer NOT NULL DEFAULT 0
  pending integer NOT NULL DEFAULT 0
  sent_at timestamp with time zone NOT NULL

-- table certification_vouchers
  user_certification_id bigint NOT NULL
  cycle integer NOT NULL
  voucher_id bigint NOT NULL
  created_at timestamp with time zone NOT NULL

-- table certifications
  id bigint NOT NULL
  code text NOT NULL
  name text NOT NULL
  description text NOT NULL DEFAULT ''::text
  level text NOT NULL
  kind text NOT NULL
  validity_months integer NOT NULL
  benefits text NOT NULL DEFAULT ''::text
  active boolean NOT NULL DEFAULT true
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL

-- table credential_directory
  user_certification_id bigint NOT NULL
  listed_at timestamp with time zone NOT NULL

-- table credentials
  id bigint NOT NULL
  credential_id text NOT NULL
  user_certification_id bigint NOT NULL
  cycle integer NOT NULL
  signing_key_id bigint NOT NULL
  revocation_list_id bigint NOT NULL
  revocation_index integer NOT NULL
  suspension_list_id bigint NOT NULL
  suspension_index integer NOT NULL
  issued_at timestamp with time zone NOT NULL
  revoked_at timestamp with time zone
  revocation_reason text NOT NULL DEFAULT ''::text
  suspended_at timestamp with time zone
  superseded_at timestamp with time zone
  superseded_by bigint
  document_jsonld text NOT NULL DEFAULT ''::text
  document_jwt text NOT NULL DEFAULT ''::text
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL
  subject_salt text NOT NULL DEFAULT ''::text

-- table dev_messages
  id bigint NOT NULL
  channel text NOT NULL
  recipient text NOT NULL
  subject text NOT NULL DEFAULT ''::text
  text_body text NOT NULL
  html_body text NOT NULL DEFAULT ''::text
  created_at timestamp with time zone NOT NULL
  attachments text NOT NULL DEFAULT '[]'::text

-- table document_checks
  kind text NOT NULL
  subject_id bigint NOT NULL
  user_id bigint NOT NULL
  problem text NOT NULL
  problem_data text NOT NULL
  checked_at timestamp with time zone NOT NULL

-- table document_files
  document_id bigint NOT NULL
  source_sha256 text NOT NULL
  document_key_id bigint NOT NULL
  pdf bytea
  pdf_sha256 text NOT NULL
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL

-- table document_keys
  id bigint NOT NULL
  source text NOT NULL
  certificates bytea NOT NULL
  fingerprint text NOT NULL
  private_key_sealed bytea NOT NULL
  not_after timestamp with time zone NOT NULL
  created_at timestamp with time zone NOT NULL
  retired_at timestamp with time zone

-- table documents
  id bigint NOT NULL
  kind text NOT NULL
  subject_id bigint NOT NULL
  user_id bigint NOT NULL
  paper text NOT NULL
  language text NOT NULL
  issued_at timestamp with time zone NOT NULL
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL

-- table due_work
  id bigint NOT NULL
  kind text NOT NULL
  key text NOT NULL
  args text NOT NULL
  due_at timestamp with time zone NOT NULL
  state text NOT NULL
  created_at timestamp with time zone NOT NULL
  finished_at timestamp with time zone

-- table event_counter
  one integer NOT NULL
  last_id bigint NOT NULL

-- table events
  id bigint NOT NULL
  type text NOT NULL
  subject_kind text NOT NULL
  subject_id bigint NOT NULL
  subject_ref text NOT NULL DEFAULT ''::text
  actor_id bigint
  payload text NOT NULL DEFAULT '{}'::text
  created_at timestamp with time zone NOT NULL

-- table exam_attempts
  id bigint NOT NULL
  user_id bigint NOT NULL
  exam_id bigint NOT NULL
  booking_id bigint
  taken_at timestamp with time zone NOT NULL
  passed boolean NOT NULL
  score integer NOT NULL
  created_at timestamp with time zone NOT NULL
  exam_code text NOT NULL
  certification_id bigint
  passing_score integer NOT NULL
  retake_wait_days integer NOT NULL
  retake_from timestamp with time zone
  domains text NOT NULL DEFAULT '[]'::text
  state text NOT NULL
  source text NOT NULL
  import_id bigint
  official_at timestamp with time zone NOT NULL
  published_at timestamp with time zone
  entered_by bigint
  confirmed_by bigint
  confirmed_at timestamp with time zone
  held_at timestamp with time zone
  held_by bigint
  hold_reason text NOT NULL DEFAULT ''::text
  updated_at timestamp with time zone NOT NULL

-- table exam_domains
  id bigint NOT NULL
  exam_id bigint NOT NULL
  position integer NOT NULL
  name text NOT NULL
  weight_percent integer NOT NULL

-- table exams
  id bigint NOT NULL
  code text NOT NULL
  name text NOT NULL
  description text NOT NULL DEFAULT ''::text
  level text NOT NULL
  kind text NOT NULL
  duration_minutes integer NOT NULL
  languages text NOT NULL
  delivery text NOT NULL
  price_minor integer NOT NULL
  currency text NOT NULL
  passing_score integer NOT NULL
  retake_wait_days integer NOT NULL
  max_reschedules integer NOT NULL
  validity_months integer NOT NULL
  active boolean NOT NULL DEFAULT true
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL
  reschedule_fee_minor bigint NOT NULL DEFAULT 0
  results_delay_days integer NOT NULL DEFAULT 5

-- table hold_addresses
  address text NOT NULL
  last_hold_at timestamp with time zone NOT NULL

-- table idempotency_keys
  key text NOT NULL
  request_hash text NOT NULL
  status integer NOT NULL DEFAULT 0
  response text NOT NULL DEFAULT ''::text
  created_at timestamp with time zone NOT NULL
  scope text NOT NULL

-- table job_outbox
  id bigint NOT NULL
  kind text NOT NULL
  args text NOT NULL
  unique_key text
  created_at timestamp with time zone NOT NULL
  forwarded_at timestamp with time zone

-- table parked_results
  id bigint NOT NULL
  import_id bigint NOT NULL
  row_number integer NOT NULL
  email text NOT NULL
  data text NOT NULL
  attempt_id bigint
  created_at timestamp with time zone NOT NULL
  attached_at timestamp with time zone

-- table payments
  id bigint NOT NULL
  reference text NOT NULL
  user_id bigint NOT NULL
  provider text NOT NULL
  state text NOT NULL
  amount_minor bigint NOT NULL
  currency text NOT NULL
  provider_ref text NOT NULL DEFAULT ''::text
  failure text NOT NULL DEFAULT ''::text
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL
  succeeded_at timestamp with time zone
  purpose text NOT NULL DEFAULT 'booking'::text

-- table rate_limits
  bucket text NOT NULL
  window_start timestamp with time zone NOT NULL
  count integer NOT NULL

-- table refunds
  id bigint NOT NULL
  booking_id bigint NOT NULL
  payment_id bigint NOT NULL
  amount_minor bigint NOT NULL
  currency text NOT NULL
  state text NOT NULL
  provider_ref text NOT NULL DEFAULT ''::text
  failure text NOT NULL DEFAULT ''::text
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL

-- table renewals
  id bigint NOT NULL
  user_certification_id bigint NOT NULL
  cycle integer NOT NULL
  user_id bigint NOT NULL
  cause text NOT NULL
  submission_id bigint
  attempt_id bigint
  old_issued_on text NOT NULL
  old_expires_on text NOT NULL
  old_issued_at timestamp with time zone NOT NULL
  old_expires_at timestamp with time zone NOT NULL
  new_issued_on text NOT NULL
  new_expires_on text NOT NULL
  new_expires_at timestamp with time zone NOT NULL
  credits_consumed integer NOT NULL DEFAULT 0
  credits_carried integer NOT NULL DEFAULT 0
  created_at timestamp with time zone NOT NULL

-- table result_import_rows
  import_id bigint NOT NULL
  row_number integer NOT NULL
  data text NOT NULL
  problem text NOT NULL DEFAULT ''::text

-- table result_imports
  id bigint NOT NULL
  content_hash text NOT NULL
  file_name text NOT NULL
  format text NOT NULL
  state text NOT NULL
  rows_total integer NOT NULL DEFAULT 0
  rows_bad integer NOT NULL DEFAULT 0
  rows_applied integer NOT NULL DEFAULT 0
  created_by bigint NOT NULL
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL
  applied_at timestamp with time zone

-- table sessions
  id bigint NOT NULL
  token_hash bytea NOT NULL
  user_id bigint NOT NULL
  state text NOT NULL
  ip text NOT NULL DEFAULT ''::text
  user_agent text NOT NULL DEFAULT ''::text
  created_at timestamp with time zone NOT NULL
  authenticated_at timestamp with time zone NOT NULL
  last_seen_at timestamp with time zone NOT NULL
  expires_at timestamp with time zone NOT NULL

-- table signin_lockouts
  identifier text NOT NULL
  failures integer NOT NULL DEFAULT 0
  locked_until timestamp with time zone
  last_locked_at timestamp with time zone
  updated_at timestamp with time zone NOT NULL

-- table signing_keys
  id bigint NOT NULL
  number integer NOT NULL
  algorithm text NOT NULL
  public_key bytea NOT NULL
  private_key_sealed bytea NOT NULL
  created_at timestamp with time zone NOT NULL
  retired_at timestamp with time zone

-- table slots
  id bigint NOT NULL
  center_id bigint
  starts_at timestamp with time zone NOT NULL
  session text NOT NULL
  capacity integer NOT NULL
  taken integer NOT NULL DEFAULT 0
  closed_at timestamp with time zone
  created_at timestamp with time zone NOT NULL

-- table sms_codes
  id bigint NOT NULL
  user_id bigint NOT NULL
  purpose text NOT NULL
  session_id bigint
  phone text NOT NULL
  code_hash bytea NOT NULL
  expires_at timestamp with time zone NOT NULL
  used_at timestamp with time zone
  attempts integer NOT NULL DEFAULT 0
  created_at timestamp with time zone NOT NULL

-- table staff_permission_sets
  user_id bigint NOT NULL
  set_name text NOT NULL
  granted_by bigint
  granted_at timestamp with time zone NOT NULL

-- table status_list_entries
  list_id bigint NOT NULL
  idx integer NOT NULL
  created_at timestamp with time zone NOT NULL

-- table status_lists
  id bigint NOT NULL
  purpose text NOT NULL
  number integer NOT NULL
  size integer NOT NULL
  bits bytea NOT NULL
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL

-- table test_centers
  id bigint NOT NULL
  code text NOT NULL
  name text NOT NULL
  address_line1 text NOT NULL
  address_line2 text NOT NULL DEFAULT ''::text
  city text NOT NULL
  region text NOT NULL DEFAULT ''::text
  postal_code text NOT NULL DEFAULT ''::text
  country text NOT NULL
  latitude double precision NOT NULL
  longitude double precision NOT NULL
  time_zone text NOT NULL
  seats integer NOT NULL
  hours text NOT NULL
  active boolean NOT NULL DEFAULT true
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL

-- table upload_blobs
  blob_key text NOT NULL
  data bytea NOT NULL
  created_at timestamp with time zone NOT NULL

-- table uploads
  id bigint NOT NULL DEFAULT nextval('uploads_id_seq'::regclass)
  owner_id bigint NOT NULL
  purpose text NOT NULL
  display_name text NOT NULL
  content_type text NOT NULL
  size_bytes bigint NOT NULL
  sha256 text NOT NULL
  blob_key text NOT NULL
  scan_status text NOT NULL
  scan_detail text NOT NULL DEFAULT ''::text
  scanned_at timestamp with time zone
  attached_at timestamp with time zone
  created_at timestamp with time zone NOT NULL

-- table user_certifications
  id bigint NOT NULL
  user_id bigint NOT NULL
  certification_id bigint NOT NULL
  attempt_id bigint NOT NULL
  cycle integer NOT NULL DEFAULT 1
  kind text NOT NULL
  validity_months integer NOT NULL
  issued_on text NOT NULL
  expires_on text NOT NULL
  issued_at timestamp with time zone NOT NULL
  expires_at timestamp with time zone NOT NULL
  suspended_at timestamp with time zone
  revoked_at timestamp with time zone
  status_reason text NOT NULL DEFAULT ''::text
  withdrawn_at timestamp with time zone
  superseded_by bigint
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL

-- table user_mfa
  user_id bigint NOT NULL
  totp_secret bytea
  totp_enabled_at timestamp with time zone
  totp_pending bytea
  totp_pending_expires_at timestamp with time zone
  totp_last_step bigint NOT NULL DEFAULT 0
  phone text NOT NULL DEFAULT ''::text
  phone_verified_at timestamp with time zone
  sms_enabled_at timestamp with time zone
  failed_attempts integer NOT NULL DEFAULT 0
  locked_until timestamp with time zone
  updated_at timestamp with time zone NOT NULL

-- table user_tokens
  id bigint NOT NULL
  user_id bigint NOT NULL
  purpose text NOT NULL
  token_hash bytea NOT NULL
  sent_to text NOT NULL
  expires_at timestamp with time zone NOT NULL
  used_at timestamp with time zone
  created_at timestamp with time zone NOT NULL

-- table users
  id bigint NOT NULL
  login_id text NOT NULL
  email text NOT NULL
  first_name text NOT NULL
  last_name text NOT NULL
  role text NOT NULL
  language text NOT NULL DEFAULT 'en'::text
  password_hash text NOT NULL DEFAULT ''::text
  email_verified_at timestamp with time zone
  disabled_at timestamp with time zone
  created_at timestamp with time zone NOT NULL
  updated_at timestamp with time zone NOT NULL
  country text NOT NULL DEFAULT ''::text
  region text NOT NULL DEFAULT ''::text
  phone text NOT NULL DEFAULT ''::text
  address_line1 text NOT NULL DEFAULT ''::text
  address_line2 text NOT NULL DEFAULT ''::text
  city text NOT NULL DEFAULT ''::text
  postal_code text NOT NULL DEFAULT ''::text
  company text NOT NULL DEFAULT ''::text
  company_address text NOT NULL DEFAULT ''::text
  job_role text NOT NULL DEFAULT ''::text
  industry text NOT NULL DEFAULT ''::text
  news_opt_in boolean NOT NULL DEFAULT false
  legal_name_locked_at timestamp with time zone
  password_changed_at timestamp with time zone
  time_zone text NOT NULL DEFAULT ''::text
  distance_unit text NOT NULL DEFAULT 'mi'::text

-- table vouchers
  id bigint NOT NULL
  code text NOT NULL
  percent integer NOT NULL
  exam_codes text NOT NULL DEFAULT ''::text
  max_uses integer NOT NULL
  uses integer NOT NULL DEFAULT 0
  expires_at timestamp with time zone NOT NULL
  owner_user_id bigint
  note text NOT NULL DEFAULT ''::text
  disabled_at timestamp with time zone
  created_by bigint
  created_at timestamp with time zone NOT NULL

-- table webhook_events
  provider text NOT NULL
  event_id text NOT NULL
  type text NOT NULL
  received_at timestamp with time zone NOT NULL

-- index app_settings_pkey
CREATE UNIQUE INDEX app_settings_pkey ON app_settings USING btree (key);
-- index audit_log_action
CREATE INDEX audit_log_action ON audit_log USING btree (action, created_at);
-- index audit_log_actor
CREATE INDEX audit_log_actor ON audit_log USING btree (actor_id, created_at);
-- index audit_log_created
CREATE INDEX audit_log_created ON audit_log USING btree (created_at);
-- index audit_log_pkey
CREATE UNIQUE INDEX audit_log_pkey ON audit_log USING btree (id);
-- index backup_codes_pkey
CREATE UNIQUE INDEX backup_codes_pkey ON backup_codes USING btree (id);
-- index backup_codes_user
CREATE INDEX backup_codes_user ON backup_codes USING btree (user_id);
-- index booking_moves_booking
CREATE INDEX booking_moves_booking ON booking_moves USING btree (booking_id, created_at);
-- index booking_moves_one_pending
CREATE UNIQUE INDEX booking_moves_one_pending ON booking_moves USING btree (booking_id) WHERE (state = 'pending'::text);
-- index booking_moves_payment_id_key
CREATE UNIQUE INDEX booking_moves_payment_id_key ON booking_moves USING btree (payment_id);
-- index booking_moves_pkey
CREATE UNIQUE INDEX booking_moves_pkey ON booking_moves USING btree (id);
-- index bookings_confirmed_slot
CREATE INDEX bookings_confirmed_slot ON bookings USING btree (slot_id) WHERE (state = 'confirmed'::text);
-- index bookings_hold_expiry
CREATE INDEX bookings_hold_expiry ON bookings USING btree (hold_expires_at) WHERE (state = ANY (ARRAY['held'::text, 'pending'::text]));
-- index bookings_one_live
CREATE UNIQUE INDEX bookings_one_live ON bookings USING btree (user_id, exam_id) WHERE (state = ANY (ARRAY['held'::text, 'pending'::text, 'confirmed'::text]));
-- index bookings_payment
CREATE INDEX bookings_payment ON bookings USING btree (payment_id);
-- index bookings_pkey
CREATE UNIQUE INDEX bookings_pkey ON bookings USING btree (id);
-- index bookings_reference_key
CREATE UNIQUE INDEX bookings_reference_key ON bookings USING btree (reference);
-- index bookings_slot
CREATE INDEX bookings_slot ON bookings USING btree (slot_id, state);
-- index bookings_unpaid_ip
CREATE INDEX bookings_unpaid_ip ON bookings USING btree (hold_ip) WHERE (state = ANY (ARRAY['held'::text, 'pending'::text]));
-- index bookings_user
CREATE INDEX bookings_user ON bookings USING btree (user_id, state);
-- index ce_activity_types_code_key
CREATE UNIQUE INDEX ce_activity_types_code_key ON ce_activity_types USING btree (code);
-- index ce_activity_types_pkey
CREATE UNIQUE INDEX ce_activity_types_pkey ON ce_activity_types USING btree (id);
-- index ce_activity_versions_pkey
CREATE UNIQUE INDEX ce_activity_versions_pkey ON ce_activity_versions USING btree (id);
-- index ce_activity_versions_type_id_version_key
CREATE UNIQUE INDEX ce_activity_versions_type_id_version_key ON ce_activity_versions USING btree (type_id, version);
-- index ce_evidence_pkey
CREATE UNIQUE INDEX ce_evidence_pkey ON ce_evidence USING btree (submission_id, upload_id);
-- index ce_evidence_upload_id_key
CREATE UNIQUE INDEX ce_evidence_upload_id_key ON ce_evidence USING btree (upload_id);
-- index ce_ledger_consumes_id_key
CREATE UNIQUE INDEX ce_ledger_consumes_id_key ON ce_ledger USING btree (consumes_id);
-- index ce_ledger_credit
CREATE UNIQUE INDEX ce_ledger_credit ON ce_ledger USING btree (submission_id, user_certification_id, decision) WHERE (kind = 'credit'::text);
-- index ce_ledger_pkey
CREATE UNIQUE INDEX ce_ledger_pkey ON ce_ledger USING btree (id);
-- index ce_ledger_reverses_id_key
CREATE UNIQUE INDEX ce_ledger_reverses_id_key ON ce_ledger USING btree (reverses_id);
-- index ce_ledger_user
CREATE INDEX ce_ledger_user ON ce_ledger USING btree (user_id, user_certification_id);
-- index ce_renewal_flags_open
CREATE INDEX ce_renewal_flags_open ON ce_renewal_flags USING btree (created_at) WHERE (resolved_at IS NULL);
-- index ce_renewal_flags_pkey
CREATE UNIQUE INDEX ce_renewal_flags_pkey ON ce_renewal_flags USING btree (id);
-- index ce_renewal_flags_renewal
CREATE INDEX ce_renewal_flags_renewal ON ce_renewal_flags USING btree (renewal_id);
-- index ce_requirements_pkey
CREATE UNIQUE INDEX ce_requirements_pkey ON ce_requirements USING btree (certification_id);
-- index ce_submissions_duplicate
CREATE INDEX ce_submissions_duplicate ON ce_submissions USING btree (user_id, type_id, completed_on);
-- index ce_submissions_pkey
CREATE UNIQUE INDEX ce_submissions_pkey ON ce_submissions USING btree (id);
-- index ce_submissions_queue
CREATE INDEX ce_submissions_queue ON ce_submissions USING btree (submitted_at, id) WHERE (state = ANY (ARRAY['pending'::text, 'info'::text, 'appealed'::text]));
-- index ce_submissions_queue_assignee
CREATE INDEX ce_submissions_queue_assignee ON ce_submissions USING btree (assignee_id, submitted_at, id) WHERE (state = ANY (ARRAY['pending'::text, 'info'::text, 'appealed'::text]));
-- index ce_submissions_queue_flagged
CREATE INDEX ce_submissions_queue_flagged ON ce_submissions USING btree (submitted_at, id) WHERE (flagged AND (state = ANY (ARRAY['pending'::text, 'info'::text, 'appealed'::text])));
-- index ce_submissions_queue_target
CREATE INDEX ce_submissions_queue_target ON ce_submissions USING btree (target_on) WHERE (state = ANY (ARRAY['pending'::text, 'appealed'::text]));
-- index ce_submissions_queue_type
CREATE INDEX ce_submissions_queue_type ON ce_submissions USING btree (type_id, submitted_at, id) WHERE (state = ANY (ARRAY['pending'::text, 'info'::text, 'appealed'::text]));
-- index ce_submissions_user
CREATE INDEX ce_submissions_user ON ce_submissions USING btree (user_id, created_at);
-- index center_closures_pkey
CREATE UNIQUE INDEX center_closures_pkey ON center_closures USING btree (center_id, day);
-- index certification_exams_earn
CREATE UNIQUE INDEX certification_exams_earn ON certification_exams USING btree (exam_id) WHERE (path = 'earn'::text);
-- index certification_exams_pkey
CREATE UNIQUE INDEX certification_exams_pkey ON certification_exams USING btree (certification_id, exam_id, path);
-- index certification_reminders_pkey
CREATE UNIQUE INDEX certification_reminders_pkey ON certification_reminders USING btree (id);
-- index certification_reminders_user_certification_id_expires_on_mo_key
CREATE UNIQUE INDEX certification_reminders_user_certification_id_expires_on_mo_key ON certification_reminders USING btree (user_certification_id, expires_on, months_before);
-- index certification_vouchers_pkey
CREATE UNIQUE INDEX certification_vouchers_pkey ON certification_vouchers USING btree (user_certification_id, cycle);
-- index certification_vouchers_voucher_id_key
CREATE UNIQUE INDEX certification_vouchers_voucher_id_key ON certification_vouchers USING btree (voucher_id);
-- index certifications_code_key
CREATE UNIQUE INDEX certifications_code_key ON certifications USING btree (code);
-- index certifications_pkey
CREATE UNIQUE INDEX certifications_pkey ON certifications USING btree (id);
-- index credential_directory_pkey
CREATE UNIQUE INDEX credential_directory_pkey ON credential_directory USING btree (user_certification_id);
-- index credentials_certification
CREATE INDEX credentials_certification ON credentials USING btree (user_certification_id);
-- index credentials_credential_id_key
CREATE UNIQUE INDEX credentials_credential_id_key ON credentials USING btree (credential_id);
-- index credentials_current
CREATE UNIQUE INDEX credentials_current ON credentials USING btree (user_certification_id, cycle) WHERE (superseded_at IS NULL);
-- index credentials_pkey
CREATE UNIQUE INDEX credentials_pkey ON credentials USING btree (id);
-- index credentials_revocation_list_id_revocation_index_key
CREATE UNIQUE INDEX credentials_revocation_list_id_revocation_index_key ON credentials USING btree (revocation_list_id, revocation_index);
-- index credentials_suspension_list_id_suspension_index_key
CREATE UNIQUE INDEX credentials_suspension_list_id_suspension_index_key ON credentials USING btree (suspension_list_id, suspension_index);
-- index credentials_unsigned
CREATE INDEX credentials_unsigned ON credentials USING btree (id) WHERE (document_jsonld = ''::text);
-- index dev_messages_pkey
CREATE UNIQUE INDEX dev_messages_pkey ON dev_messages USING btree (id);
-- index document_checks_pkey
CREATE UNIQUE INDEX document_checks_pkey ON document_checks USING btree (kind, subject_id);
-- index document_checks_user
CREATE INDEX document_checks_user ON document_checks USING btree (user_id);
-- index document_files_key
CREATE INDEX document_files_key ON document_files USING btree (document_key_id);
-- index document_files_pkey
CREATE UNIQUE INDEX document_files_pkey ON document_files USING btree (document_id);
-- index document_keys_current
CREATE UNIQUE INDEX document_keys_current ON document_keys USING btree (((retired_at IS NULL))) WHERE (retired_at IS NULL);
-- index document_keys_pkey
CREATE UNIQUE INDEX document_keys_pkey ON document_keys USING btree (id);
-- index documents_kind_subject_id_key
CREATE UNIQUE INDEX documents_kind_subject_id_key ON documents USING btree (kind, subject_id);
-- index documents_pkey
CREATE UNIQUE INDEX documents_pkey ON documents USING btree (id);
-- index documents_user
CREATE INDEX documents_user ON documents USING btree (user_id);
-- index due_work_finished
CREATE INDEX due_work_finished ON due_work USING btree (finished_at) WHERE (state <> 'pending'::text);
-- index due_work_kind_key_key
CREATE UNIQUE INDEX due_work_kind_key_key ON due_work USING btree (kind, key);
-- index due_work_pending
CREATE INDEX due_work_pending ON due_work USING btree (due_at) WHERE (state = 'pending'::text);
-- index due_work_pkey
CREATE UNIQUE INDEX due_work_pkey ON due_work USING btree (id);
-- index event_counter_pkey
CREATE UNIQUE INDEX event_counter_pkey ON event_counter USING btree (one);
-- index events_created
CREATE INDEX events_created ON events USING btree (created_at);
-- index events_pkey
CREATE UNIQUE INDEX events_pkey ON events USING btree (id);
-- index events_subject
CREATE INDEX events_subject ON events USING btree (subject_kind, subject_id, id);
-- index events_type
CREATE INDEX events_type ON events USING btree (type, id);
-- index exam_attempts_awaiting
CREATE INDEX exam_attempts_awaiting ON exam_attempts USING btree (state, created_at) WHERE (state = ANY (ARRAY['entered'::text, 'held'::text]));
-- index exam_attempts_booking
CREATE UNIQUE INDEX exam_attempts_booking ON exam_attempts USING btree (booking_id) WHERE (booking_id IS NOT NULL);
-- index exam_attempts_import
CREATE INDEX exam_attempts_import ON exam_attempts USING btree (import_id) WHERE (import_id IS NOT NULL);
-- index exam_attempts_pkey
CREATE UNIQUE INDEX exam_attempts_pkey ON exam_attempts USING btree (id);
-- index exam_attempts_retake
CREATE INDEX exam_attempts_retake ON exam_attempts USING btree (user_id, certification_id, retake_from) WHERE (NOT passed);
-- index exam_attempts_user
CREATE INDEX exam_attempts_user ON exam_attempts USING btree (user_id, taken_at);
-- index exam_domains_exam_id_position_key
CREATE UNIQUE INDEX exam_domains_exam_id_position_key ON exam_domains USING btree (exam_id, "position");
-- index exam_domains_pkey
CREATE UNIQUE INDEX exam_domains_pkey ON exam_domains USING btree (id);
-- index exams_code_key
CREATE UNIQUE INDEX exams_code_key ON exams USING btree (code);
-- index exams_pkey
CREATE UNIQUE INDEX exams_pkey ON exams USING btree (id);
-- index hold_addresses_last_hold
CREATE INDEX hold_addresses_last_hold ON hold_addresses USING btree (last_hold_at);
-- index hold_addresses_pkey
CREATE UNIQUE INDEX hold_addresses_pkey ON hold_addresses USING btree (address);
-- index idempotency_keys_created
CREATE INDEX idempotency_keys_created ON idempotency_keys USING btree (created_at);
-- index idempotency_keys_pkey
CREATE UNIQUE INDEX idempotency_keys_pkey ON idempotency_keys USING btree (scope, key);
-- index job_outbox_pending
CREATE INDEX job_outbox_pending ON job_outbox USING btree (id) WHERE (forwarded_at IS NULL);
-- index job_outbox_pkey
CREATE UNIQUE INDEX job_outbox_pkey ON job_outbox USING btree (id);
-- index job_outbox_unique_key_key
CREATE UNIQUE INDEX job_outbox_unique_key_key ON job_outbox USING btree (unique_key);
-- index parked_results_import_id_row_number_key
CREATE UNIQUE INDEX parked_results_import_id_row_number_key ON parked_results USING btree (import_id, row_number);
-- index parked_results_pkey
CREATE UNIQUE INDEX parked_results_pkey ON parked_results USING btree (id);
-- index parked_results_waiting
CREATE INDEX parked_results_waiting ON parked_results USING btree (email) WHERE (attempt_id IS NULL);
-- index payments_pending
CREATE INDEX payments_pending ON payments USING btree (created_at) WHERE (state = 'pending'::text);
-- index payments_pkey
CREATE UNIQUE INDEX payments_pkey ON payments USING btree (id);
-- index payments_provider_ref
CREATE UNIQUE INDEX payments_provider_ref ON payments USING btree (provider, provider_ref) WHERE (provider_ref <> ''::text);
-- index payments_reference_key
CREATE UNIQUE INDEX payments_reference_key ON payments USING btree (reference);
-- index payments_user
CREATE INDEX payments_user ON payments USING btree (user_id, created_at);
-- index rate_limits_pkey
CREATE UNIQUE INDEX rate_limits_pkey ON rate_limits USING btree (bucket, window_start);
-- index rate_limits_window
CREATE INDEX rate_limits_window ON rate_limits USING btree (window_start);
-- index refunds_booking_payment
CREATE UNIQUE INDEX refunds_booking_payment ON refunds USING btree (booking_id, payment_id);
-- index refunds_payment
CREATE INDEX refunds_payment ON refunds USING btree (payment_id);
-- index refunds_pkey
CREATE UNIQUE INDEX refunds_pkey ON refunds USING btree (id);
-- index renewals_pkey
CREATE UNIQUE INDEX renewals_pkey ON renewals USING btree (id);
-- index renewals_user
CREATE INDEX renewals_user ON renewals USING btree (user_id);
-- index renewals_user_certification_id_cycle_key
CREATE UNIQUE INDEX renewals_user_certification_id_cycle_key ON renewals USING btree (user_certification_id, cycle);
-- index result_import_rows_pkey
CREATE UNIQUE INDEX result_import_rows_pkey ON result_import_rows USING btree (import_id, row_number);
-- index result_imports_applied
CREATE UNIQUE INDEX result_imports_applied ON result_imports USING btree (content_hash) WHERE (state = ANY (ARRAY['applying'::text, 'applied'::text]));
-- index result_imports_pkey
CREATE UNIQUE INDEX result_imports_pkey ON result_imports USING btree (id);
-- index result_imports_recent
CREATE INDEX result_imports_recent ON result_imports USING btree (created_at);
-- index sessions_pkey
CREATE UNIQUE INDEX sessions_pkey ON sessions USING btree (id);
-- index sessions_token_hash_key
CREATE UNIQUE INDEX sessions_token_hash_key ON sessions USING btree (token_hash);
-- index sessions_user
CREATE INDEX sessions_user ON sessions USING btree (user_id);
-- index signin_lockouts_pkey
CREATE UNIQUE INDEX signin_lockouts_pkey ON signin_lockouts USING btree (identifier);
-- index signing_keys_current
CREATE UNIQUE INDEX signing_keys_current ON signing_keys USING btree (((retired_at IS NULL))) WHERE (retired_at IS NULL);
-- index signing_keys_number_key
CREATE UNIQUE INDEX signing_keys_number_key ON signing_keys USING btree (number);
-- index signing_keys_pkey
CREATE UNIQUE INDEX signing_keys_pkey ON signing_keys USING btree (id);
-- index slots_center_start
CREATE UNIQUE INDEX slots_center_start ON slots USING btree (center_id, starts_at) WHERE (center_id IS NOT NULL);
-- index slots_online_start
CREATE UNIQUE INDEX slots_online_start ON slots USING btree (starts_at) WHERE (center_id IS NULL);
-- index slots_pkey
CREATE UNIQUE INDEX slots_pkey ON slots USING btree (id);
-- index sms_codes_phone
CREATE INDEX sms_codes_phone ON sms_codes USING btree (phone, created_at);
-- index sms_codes_pkey
CREATE UNIQUE INDEX sms_codes_pkey ON sms_codes USING btree (id);
-- index sms_codes_session
CREATE INDEX sms_codes_session ON sms_codes USING btree (session_id);
-- index sms_codes_user
CREATE INDEX sms_codes_user ON sms_codes USING btree (user_id, created_at);
-- index staff_permission_sets_pkey
CREATE UNIQUE INDEX staff_permission_sets_pkey ON staff_permission_sets USING btree (user_id, set_name);
-- index staff_permission_sets_set
CREATE INDEX staff_permission_sets_set ON staff_permission_sets USING btree (set_name, user_id);
-- index status_list_entries_pkey
CREATE UNIQUE INDEX status_list_entries_pkey ON status_list_entries USING btree (list_id, idx);
-- index status_lists_pkey
CREATE UNIQUE INDEX status_lists_pkey ON status_lists USING btree (id);
-- index status_lists_purpose_number_key
CREATE UNIQUE INDEX status_lists_purpose_number_key ON status_lists USING btree (purpose, number);
-- index test_centers_code_key
CREATE UNIQUE INDEX test_centers_code_key ON test_centers USING btree (code);
-- index test_centers_country
CREATE INDEX test_centers_country ON test_centers USING btree (country);
-- index test_centers_pkey
CREATE UNIQUE INDEX test_centers_pkey ON test_centers USING btree (id);
-- index upload_blobs_pkey
CREATE UNIQUE INDEX upload_blobs_pkey ON upload_blobs USING btree (blob_key);
-- index uploads_blob_key_key
CREATE UNIQUE INDEX uploads_blob_key_key ON uploads USING btree (blob_key);
-- index uploads_owner
CREATE INDEX uploads_owner ON uploads USING btree (owner_id, created_at);
-- index uploads_pending
CREATE INDEX uploads_pending ON uploads USING btree (scan_status) WHERE (scan_status = 'pending'::text);
-- index uploads_pkey
CREATE UNIQUE INDEX uploads_pkey ON uploads USING btree (id);
-- index uploads_sha256
CREATE INDEX uploads_sha256 ON uploads USING btree (sha256);
-- index uploads_unattached
CREATE INDEX uploads_unattached ON uploads USING btree (created_at) WHERE (attached_at IS NULL);
-- index user_certifications_attempt_id_key
CREATE UNIQUE INDEX user_certifications_attempt_id_key ON user_certifications USING btree (attempt_id);
-- index user_certifications_expiry
CREATE INDEX user_certifications_expiry ON user_certifications USING btree (expires_at);
-- index user_certifications_pkey
CREATE UNIQUE INDEX user_certifications_pkey ON user_certifications USING btree (id);
-- index user_certifications_user
CREATE INDEX user_certifications_user ON user_certifications USING btree (user_id, certification_id);
-- index user_mfa_pkey
CREATE UNIQUE INDEX user_mfa_pkey ON user_mfa USING btree (user_id);
-- index user_tokens_pkey
CREATE UNIQUE INDEX user_tokens_pkey ON user_tokens USING btree (id);
-- index user_tokens_token_hash_key
CREATE UNIQUE INDEX user_tokens_token_hash_key ON user_tokens USING btree (token_hash);
-- index user_tokens_user_purpose
CREATE INDEX user_tokens_user_purpose ON user_tokens USING btree (user_id, purpose);
-- index users_email_key
CREATE UNIQUE INDEX users_email_key ON users USING btree (email);
-- index users_login_id_key
CREATE UNIQUE INDEX users_login_id_key ON users USING btree (login_id);
-- index users_pkey
CREATE UNIQUE INDEX users_pkey ON users USING btree (id);
-- index vouchers_code_key
CREATE UNIQUE INDEX vouchers_code_key ON vouchers USING btree (code);
-- index vouchers_owner
CREATE INDEX vouchers_owner ON vouchers USING btree (owner_user_id) WHERE (owner_user_id IS NOT NULL);
-- index vouchers_pkey
CREATE UNIQUE INDEX vouchers_pkey ON vouchers USING btree (id);
-- index webhook_events_pkey
CREATE UNIQUE INDEX webhook_events_pkey ON webhook_events USING btree (provider, event_id);
