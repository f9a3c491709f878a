DROP TABLE sms_opt_outs;
DROP TABLE sms_outbox;
DROP TABLE phone_codes;
ALTER TABLE users DROP COLUMN phone_verified_at;
ALTER TABLE agencies DROP COLUMN sms_reminders;
