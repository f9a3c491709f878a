-- Questions citizens ask agencies (hỏi đáp). A question goes to the agency of the procedure it
-- is about (the citizen names which, as for an online dossier) or of the topic chosen; staff
-- answer it or pass it to another agency, which then has its own time to answer.

-- Working days an agency has to answer a question.
ALTER TABLE agencies ADD COLUMN question_answer_days INTEGER NOT NULL DEFAULT 7;

-- General topics (not about one procedure) and the agency each goes to.
CREATE TABLE question_topics (
    code TEXT PRIMARY KEY NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE questions (
    id TEXT PRIMARY KEY NOT NULL,
    -- NULL once the asker erased their account: as a complaint's reporter, the question
    -- stays with the agency and in its figures (and, if published, in public).
    asker_id TEXT NULL REFERENCES users (id) ON DELETE SET NULL,
    -- The agency it is with now.
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    procedure_code TEXT NULL REFERENCES procedures (code),
    topic_code TEXT NULL REFERENCES question_topics (code),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    -- Set when it reached the agency it is with (again on a transfer).
    due_at TIMESTAMP NOT NULL,
    -- In the object store; the file was sniffed and images re-encoded without metadata.
    attachment_key TEXT NULL,
    attachment_type TEXT NULL,
    attachment_bytes INTEGER NULL,
    answer TEXT NULL,
    answered_by TEXT NULL REFERENCES users (id) ON DELETE SET NULL,
    answered_at TIMESTAMP NULL,
    -- When the agency publishes the answer: the question as the public reads it, without the
    -- asker's identity (the original stays the asker's and the agency's only).
    published BOOLEAN NOT NULL DEFAULT 0,
    public_title TEXT NULL,
    public_body TEXT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX questions_of_asker ON questions (asker_id, created_at);
-- An agency's queue (open ones by due time) and its public figures.
CREATE INDEX questions_of_agency ON questions (agency_id, status, due_at);

-- Each pass from one agency to another, with the reason given.
CREATE TABLE question_transfers (
    id TEXT PRIMARY KEY NOT NULL,
    question_id TEXT NOT NULL REFERENCES questions (id),
    from_agency_id TEXT NOT NULL REFERENCES agencies (id),
    to_agency_id TEXT NOT NULL REFERENCES agencies (id),
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX question_transfers_of_question ON question_transfers (question_id);

-- Published answers are searched from an index each instance keeps in memory.
INSERT INTO revisions (name, revision) VALUES ('questions', 0);
