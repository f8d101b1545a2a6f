import GRDB

/// Schema history. Never edit a shipped migration: add the next one.
enum ParleyMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-accounts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE user (
                        id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at REAL NOT NULL);
                    CREATE TABLE api_token (
                        id TEXT PRIMARY KEY,
                        user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                        token_hash TEXT NOT NULL UNIQUE, label TEXT, created_at REAL NOT NULL);
                    CREATE TABLE workspace (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at REAL NOT NULL);
                    CREATE TABLE workspace_member (
                        workspace_id TEXT NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                        user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                        PRIMARY KEY (workspace_id, user_id));
                    """)
        }
        migrator.registerMigration("v1-meetings") { db in
            // sha256 and client_id are unique per owner: the database, not a check in
            // code, is what makes duplicates impossible under concurrent uploads.
            try db.execute(
                sql: """
                    CREATE TABLE meeting (
                        id TEXT PRIMARY KEY,
                        owner_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                        client_id TEXT,
                        workspace_id TEXT REFERENCES workspace(id) ON DELETE SET NULL,
                        is_personal INTEGER NOT NULL DEFAULT 1,
                        title TEXT NOT NULL,
                        recorded_at REAL,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL,
                        sha256 TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        original_name TEXT,
                        content_type TEXT,
                        status TEXT NOT NULL,
                        stage TEXT,
                        progress REAL NOT NULL DEFAULT 0,
                        failure_reason TEXT,
                        duration REAL,
                        codec TEXT,
                        sample_rate INTEGER,
                        channels INTEGER,
                        audio_path TEXT NOT NULL,
                        playback_path TEXT,
                        speakers_json TEXT,
                        summary_preview TEXT,
                        UNIQUE (owner_id, sha256),
                        UNIQUE (owner_id, client_id));
                    CREATE INDEX meeting_owner_status ON meeting(owner_id, status);
                    CREATE INDEX meeting_workspace_personal ON meeting(workspace_id, is_personal);
                    CREATE INDEX meeting_owner_created ON meeting(owner_id, created_at DESC, id DESC);
                    CREATE INDEX meeting_created ON meeting(created_at DESC, id DESC);
                    CREATE TABLE upload (
                        id TEXT PRIMARY KEY,
                        owner_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                        length INTEGER NOT NULL,
                        offset INTEGER NOT NULL DEFAULT 0,
                        sha256 TEXT NOT NULL,
                        client_id TEXT,
                        title TEXT NOT NULL,
                        recorded_at REAL,
                        workspace_id TEXT REFERENCES workspace(id) ON DELETE SET NULL,
                        is_personal INTEGER NOT NULL DEFAULT 1,
                        original_name TEXT,
                        content_type TEXT,
                        metadata TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        UNIQUE (owner_id, sha256));
                    """)
        }
        migrator.registerMigration("v1-jobs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE job (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        meeting_id TEXT NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
                        stage TEXT NOT NULL,
                        state TEXT NOT NULL,
                        uses_engine INTEGER NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        max_attempts INTEGER NOT NULL,
                        run_after REAL NOT NULL,
                        lease_owner TEXT,
                        lease_expires REAL,
                        progress REAL NOT NULL DEFAULT 0,
                        last_error TEXT,
                        created_at REAL NOT NULL,
                        started_at REAL,
                        finished_at REAL,
                        UNIQUE (meeting_id, stage));
                    CREATE INDEX job_claim ON job(state, uses_engine, run_after, id);
                    CREATE TABLE stage_result (
                        meeting_id TEXT NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
                        stage TEXT NOT NULL,
                        result TEXT NOT NULL,
                        seconds REAL NOT NULL,
                        created_at REAL NOT NULL,
                        PRIMARY KEY (meeting_id, stage));
                    """)
        }
        migrator.registerMigration("v1-search") { db in
            try db.execute(
                sql: """
                    CREATE TABLE segment (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        meeting_id TEXT NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        start REAL NOT NULL,
                        end REAL NOT NULL,
                        speaker_id TEXT NOT NULL,
                        speaker_name TEXT NOT NULL,
                        text TEXT NOT NULL);
                    CREATE INDEX segment_meeting ON segment(meeting_id, position);
                    CREATE VIRTUAL TABLE segment_fts USING fts5(
                        text, speaker_name, content='segment', content_rowid='id', tokenize='porter unicode61');
                    CREATE TRIGGER segment_ai AFTER INSERT ON segment BEGIN
                        INSERT INTO segment_fts(rowid, text, speaker_name) VALUES (new.id, new.text, new.speaker_name);
                    END;
                    CREATE TRIGGER segment_ad AFTER DELETE ON segment BEGIN
                        INSERT INTO segment_fts(segment_fts, rowid, text, speaker_name)
                        VALUES ('delete', old.id, old.text, old.speaker_name);
                    END;
                    """)
        }
        migrator.registerMigration("v2-intelligence") { db in
            // Edits are kept apart from the machine result, so re-running a stage keeps them.
            try db.execute(
                sql: """
                    CREATE TABLE speaker_edit (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        meeting_id TEXT NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
                        edit TEXT NOT NULL,
                        created_at REAL NOT NULL);
                    CREATE INDEX speaker_edit_meeting ON speaker_edit(meeting_id, id);
                    CREATE TABLE voiceprint (
                        id TEXT PRIMARY KEY,
                        owner_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        embedding TEXT NOT NULL,
                        meeting_id TEXT REFERENCES meeting(id) ON DELETE SET NULL,
                        speaker_id TEXT,
                        created_at REAL NOT NULL,
                        UNIQUE (owner_id, meeting_id, speaker_id));
                    CREATE INDEX voiceprint_owner ON voiceprint(owner_id);
                    ALTER TABLE segment ADD COLUMN kind TEXT NOT NULL DEFAULT 'transcript';
                    """)
        }
        migrator.registerMigration("v3-word-times") { db in
            // Word timings let a hit point at the spoken word, not the start of its segment.
            try db.execute(sql: "ALTER TABLE segment ADD COLUMN word_times TEXT")
        }
        migrator.registerMigration("v4-sessions-and-limits") { db in
            // A web session is its own record, not the API token in a cookie: it expires,
            // signing out deletes it, and revoking the token it was opened with ends it.
            // Uploads remember their last activity, so expiry follows the client's pace.
            try db.execute(
                sql: """
                    CREATE TABLE web_session (
                        id_hash TEXT PRIMARY KEY,
                        user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                        token_id TEXT NOT NULL REFERENCES api_token(id) ON DELETE CASCADE,
                        created_at REAL NOT NULL,
                        last_seen_at REAL NOT NULL);
                    CREATE INDEX web_session_token ON web_session(token_id);
                    ALTER TABLE user ADD COLUMN quota_bytes INTEGER;
                    ALTER TABLE upload ADD COLUMN updated_at REAL;
                    UPDATE upload SET updated_at = created_at;
                    """)
        }
        migrator.registerMigration("v5-text-vectors") { db in
            // Sentence vectors for search by meaning, keyed by the text they stand for, so
            // rebuilding a meeting's search rows (every speaker edit does) keeps them, and a
            // corrected line simply has none until the meeting is indexed again.
            try db.execute(
                sql: """
                    CREATE TABLE text_vector (
                        meeting_id TEXT NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
                        text_hash TEXT NOT NULL,
                        vector BLOB NOT NULL,
                        PRIMARY KEY (meeting_id, text_hash));
                    ALTER TABLE segment ADD COLUMN text_hash TEXT;
                    """)
        }
        migrator.registerMigration("v6-webhooks") { db in
            try db.execute(sql: WebhookSchema.v6)
        }
        migrator.registerMigration("v7-vocabulary") { db in
            // Names and terms Whisper is told about, one list per user and per workspace
            // (`owner_kind`), applied when a meeting of theirs is transcribed.
            try db.execute(
                sql: """
                    CREATE TABLE vocabulary (
                        owner_kind TEXT NOT NULL CHECK (owner_kind IN ('user', 'workspace')),
                        owner_id TEXT NOT NULL,
                        terms TEXT NOT NULL,
                        updated_at REAL NOT NULL,
                        updated_by TEXT,
                        PRIMARY KEY (owner_kind, owner_id));
                    """)
        }
        migrator.registerMigration("v8-search-ranges") { db in
            // Search ranks only what the viewer may see. A meeting's search rows are written
            // in one transaction, so their ids form one range: with that range on the meeting
            // row (kept by triggers), the meeting of any full-text match is one seek in a small
            // covering index, not a lookup of the segment and then of the meeting, and the
            // ranking (bm25) runs only on the matches that pass. segment_count proves the range
            // holds no other meeting's rows (see `meeting_scattered`). search_version changes
            // with every write to a meeting's rows or vectors, so an in-memory copy of its
            // vectors knows when it is stale; it is in the index too, so listing the visible
            // meetings' versions for a search reads the index alone.
            try db.execute(
                sql: """
                    ALTER TABLE meeting ADD COLUMN first_segment_id INTEGER;
                    ALTER TABLE meeting ADD COLUMN last_segment_id INTEGER;
                    ALTER TABLE meeting ADD COLUMN segment_count INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE meeting ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
                    UPDATE meeting SET (first_segment_id, last_segment_id, segment_count) =
                        (SELECT min(id), max(id), count(*) FROM segment WHERE segment.meeting_id = meeting.id);
                    CREATE INDEX meeting_segment_range ON meeting(first_segment_id, last_segment_id,
                        owner_id, is_personal, workspace_id, status, recorded_at, created_at, search_version);
                    CREATE INDEX meeting_scattered ON meeting(id)
                        WHERE segment_count > 0 AND last_segment_id - first_segment_id + 1 != segment_count;
                    CREATE TRIGGER segment_ai_range AFTER INSERT ON segment BEGIN
                        UPDATE meeting SET first_segment_id = min(coalesce(first_segment_id, new.id), new.id),
                            last_segment_id = max(coalesce(last_segment_id, new.id), new.id),
                            segment_count = segment_count + 1, search_version = search_version + 1
                        WHERE id = new.meeting_id;
                    END;
                    CREATE TRIGGER segment_ad_range AFTER DELETE ON segment BEGIN
                        UPDATE meeting SET (first_segment_id, last_segment_id) =
                                (SELECT min(id), max(id) FROM segment WHERE meeting_id = old.meeting_id),
                            segment_count = segment_count - 1, search_version = search_version + 1
                        WHERE id = old.meeting_id;
                    END;
                    CREATE TRIGGER text_vector_ai_version AFTER INSERT ON text_vector BEGIN
                        UPDATE meeting SET search_version = search_version + 1 WHERE id = new.meeting_id;
                    END;
                    CREATE TRIGGER text_vector_ad_version AFTER DELETE ON text_vector BEGIN
                        UPDATE meeting SET search_version = search_version + 1 WHERE id = old.meeting_id;
                    END;
                    """)
        }
        migrator.registerMigration("v9-worker-tokens") { db in
            // Remote workers: a token's role (a worker token may only claim and run jobs),
            // an admin flag (who may list the workers; the first user becomes one), the model
            // a meeting asked for and the job carries to the workers that have it, and who
            // finished a job, so a retried completion from the same worker is recognised.
            try db.execute(
                sql: """
                    ALTER TABLE api_token ADD COLUMN role TEXT NOT NULL DEFAULT 'user';
                    ALTER TABLE user ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0;
                    UPDATE user SET is_admin = 1 WHERE id = (SELECT id FROM user ORDER BY created_at, rowid LIMIT 1);
                    ALTER TABLE meeting ADD COLUMN requested_model TEXT;
                    ALTER TABLE job ADD COLUMN model TEXT;
                    ALTER TABLE job ADD COLUMN finished_by TEXT;
                    """)
        }
        migrator.registerMigration("v10-requested-options") { db in
            // What an OpenAI-style request asked for besides a model: the spoken language and
            // a prompt, applied whenever the meeting is transcribed (here or on a worker).
            try db.execute(
                sql: """
                    ALTER TABLE meeting ADD COLUMN requested_language TEXT;
                    ALTER TABLE meeting ADD COLUMN requested_prompt TEXT;
                    """)
        }
        migrator.registerMigration("v11-transcripts") { db in
            try TranscriptSchema.create(in: db)
        }
        migrator.registerMigration("v12-upload-outcomes") { db in
            // A tus upload that completed into a meeting the owner already had (the same
            // bytes arrived another way meanwhile) leaves no meeting under its own id; this
            // remembers which one it became, so its URL keeps answering "complete".
            try db.execute(
                sql: """
                    CREATE TABLE upload_outcome (
                        upload_id TEXT PRIMARY KEY,
                        owner_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                        meeting_id TEXT NOT NULL REFERENCES meeting(id) ON DELETE CASCADE);
                    CREATE INDEX upload_outcome_meeting ON upload_outcome(meeting_id);
                    """)
        }
        return migrator
    }
}
