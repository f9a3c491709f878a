DROP TABLE webhook_outbox;
DROP TABLE agency_webhooks;
