-- Accounts from before SMS have never proved their number: they verify like new ones.
ALTER TABLE users ADD COLUMN phone_verified_at TIMESTAMP NULL;

-- Agencies that want their staff's daily overdue digest by SMS as well.
ALTER TABLE agencies ADD COLUMN sms_reminders BOOLEAN NOT NULL DEFAULT FALSE;

-- One-time codes sent by SMS (verify an account's phone, reset a password, prove a new number).
-- Only the code's hash is kept; `phone` is where it went (the new number for a change).
CREATE TABLE phone_codes (
    id TEXT PRIMARY KEY NOT NULL,
    purpose TEXT NOT NULL,
    phone TEXT NOT NULL,
    user_id TEXT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP NULL
);
CREATE INDEX phone_codes_phone ON phone_codes (phone, purpose, created_at);

-- One row per text message, written in the transaction of the change that causes it; workers
-- claim due rows under a lease, as the push outbox does. A dossier message may be covered by a
-- push to the applicant's own app (`covering_notification_id`): if that push went out first,
-- the message is not sent. A dossier message carries a link to stop them (`opt_out_token`).
CREATE TABLE sms_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    phone TEXT NOT NULL,
    purpose TEXT NOT NULL,
    body TEXT NOT NULL,
    encoding TEXT NOT NULL,
    segments INTEGER NOT NULL,
    dossier_code TEXT NULL,
    covering_notification_id TEXT NULL REFERENCES notifications (id) ON DELETE SET NULL,
    opt_out_token TEXT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP NULL,
    gateway TEXT NULL,
    provider_id TEXT NULL,
    last_error TEXT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP NULL,
    reported_at TIMESTAMP NULL
);
CREATE INDEX sms_outbox_due ON sms_outbox (status, due_at);
CREATE INDEX sms_outbox_phone ON sms_outbox (phone, created_at);
CREATE INDEX sms_outbox_provider ON sms_outbox (provider_id);
CREATE UNIQUE INDEX sms_outbox_opt_out_token ON sms_outbox (opt_out_token);

-- Numbers whose owners asked for no more dossier messages (by a reply or the link).
CREATE TABLE sms_opt_outs (
    phone TEXT PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL
);
