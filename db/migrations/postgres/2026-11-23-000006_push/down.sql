DROP TABLE push_outbox;
DROP TABLE notification_mutes;
DROP TABLE devices;
