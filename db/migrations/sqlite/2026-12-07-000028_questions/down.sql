DELETE FROM revisions WHERE name = 'questions';
DROP TABLE question_transfers;
DROP TABLE questions;
DROP TABLE question_topics;
ALTER TABLE agencies DROP COLUMN question_answer_days;
