import ParleyCore

/// The webhook tables (migration v6), apart from `ParleyMigrations` for their length.
///
/// A delivery is a row written in the same transaction as what it reports: the trigger
/// below fires inside the UPDATE that finishes or fails a meeting (whichever code path
/// does it: a stage completing, a job failing, a cancel, lease recovery), and corrections
/// are queued inside the edit's transaction (`WebhookRepository.queueCorrected`). So a
/// crash can delay a delivery but never lose one, and nothing is sent for work that was
/// rolled back. Deliveries keep no foreign key to the meeting: the log outlives it.
enum WebhookSchema {
    static let v6 = """
        ALTER TABLE workspace_member ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
        CREATE TABLE webhook (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            workspace_id TEXT REFERENCES workspace(id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            secret TEXT NOT NULL,
            events TEXT NOT NULL,
            created_at REAL NOT NULL);
        CREATE INDEX webhook_user ON webhook(user_id);
        CREATE INDEX webhook_workspace ON webhook(workspace_id);
        CREATE TABLE webhook_delivery (
            id TEXT PRIMARY KEY,
            webhook_id TEXT NOT NULL REFERENCES webhook(id) ON DELETE CASCADE,
            event TEXT NOT NULL,
            meeting_id TEXT NOT NULL,
            meeting_status TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL,
            last_status INTEGER,
            last_error TEXT,
            body TEXT,
            created_at REAL NOT NULL,
            finished_at REAL);
        CREATE INDEX webhook_delivery_due ON webhook_delivery(state, next_attempt_at);
        CREATE INDEX webhook_delivery_log ON webhook_delivery(webhook_id, created_at DESC);
        CREATE TRIGGER webhook_meeting_finished AFTER UPDATE OF status ON meeting
        WHEN NEW.status IN (\(MeetingStatus.synced.sql), \(MeetingStatus.failed.sql)) AND OLD.status IS NOT NEW.status
        BEGIN
            INSERT INTO webhook_delivery (id, webhook_id, event, meeting_id, meeting_status, next_attempt_at, created_at)
            SELECT lower(hex(randomblob(16))), webhook.id,
                   CASE NEW.status WHEN \(MeetingStatus.synced.sql) THEN 'meeting.processed' ELSE 'meeting.failed' END,
                   NEW.id, NEW.status,
                   (julianday('now') - 2440587.5) * 86400.0, (julianday('now') - 2440587.5) * 86400.0
            FROM webhook
            WHERE instr(webhook.events,
                        CASE NEW.status WHEN \(MeetingStatus.synced.sql) THEN ',meeting.processed,' ELSE ',meeting.failed,' END) > 0
              AND ((webhook.workspace_id IS NULL AND webhook.user_id = NEW.owner_id)
                   OR (NEW.is_personal = 0 AND webhook.workspace_id = NEW.workspace_id));
        END;
        """
}
