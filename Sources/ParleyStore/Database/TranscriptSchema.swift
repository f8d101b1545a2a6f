import GRDB

/// The transcript table (migration v11), apart from `ParleyMigrations` for its length.
///
/// Until v11 a transcript's only home was the `summarize` job's result row, which the
/// `index` stage read back and wrote again, and which a re-run of the summary replaced
/// wholesale. Now a transcript is a record of its own: written once by the `attribute`
/// stage (in the transaction that finishes that job), its insights beside it, written by
/// `summarize`. Edits stay apart in `speaker_edit`, applied on read. `revision` counts the
/// times the machine transcript was produced for this meeting (a re-run from `attribute`
/// or earlier writes a new one).
enum TranscriptSchema {
    static func create(in db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE transcript (
                    meeting_id TEXT PRIMARY KEY REFERENCES meeting(id) ON DELETE CASCADE,
                    revision INTEGER NOT NULL,
                    model TEXT,
                    profile TEXT,
                    body TEXT NOT NULL,
                    insights TEXT,
                    created_at REAL NOT NULL,
                    summarized_at REAL);
                """)
        try moveStoredResults(in: db)
    }

    /// Databases from before v11: each `summarize` result held `{transcript, insights}`.
    /// Transcript and insights move to the table, their one home; the stage results keep
    /// only a receipt, as the stages write now (the summary's source); `attribute` gets a done job and a result so a
    /// processed meeting shows every stage done. A meeting whose old summarize job had not
    /// finished yet has no transcript: that job becomes its `attribute` job, which writes
    /// the transcript and queues the new summarize after it.
    static func moveStoredResults(in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO transcript (meeting_id, revision, model, profile, body, insights, created_at, summarized_at)
                SELECT meeting_id, 1, json_extract(result, '$.transcript.model'), json_extract(result, '$.transcript.profile'),
                    json_extract(result, '$.transcript'), json_extract(result, '$.insights'), created_at,
                    CASE WHEN json_extract(result, '$.insights') IS NOT NULL THEN created_at END
                FROM stage_result WHERE stage = 'summarize' AND json_valid(result);
                UPDATE stage_result SET result = json_object('source', json_extract(result, '$.insights.source'))
                WHERE stage = 'summarize' AND json_valid(result);
                INSERT INTO stage_result (meeting_id, stage, result, seconds, created_at)
                SELECT meeting_id, 'attribute',
                    json_object('segments', json_array_length(body, '$.segments')), 0, created_at
                FROM transcript;
                INSERT INTO job (meeting_id, stage, state, uses_engine, attempts, max_attempts, run_after, progress,
                                 created_at, started_at, finished_at, finished_by)
                SELECT meeting_id, 'attribute', 'done', 0, 1, max_attempts, run_after, 1, created_at, started_at,
                    finished_at, finished_by
                FROM job WHERE stage = 'summarize' AND meeting_id IN (SELECT meeting_id FROM transcript);
                UPDATE job SET stage = 'attribute', uses_engine = 0
                WHERE stage = 'summarize' AND meeting_id NOT IN (SELECT meeting_id FROM transcript);
                UPDATE meeting SET stage = 'attribute'
                WHERE stage = 'summarize' AND id NOT IN (SELECT meeting_id FROM transcript);
                """)
    }
}
