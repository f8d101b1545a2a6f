/// The instructions sent to a chat model. They ask for exactly the offline summary's JSON,
/// so both paths feed the same storage, search and UI.
enum LLMPrompts {
    static let schema = """
        {"summary": [{"speaker_id": "Speaker 1", "text": "a sentence", "start": 0.0, "end": 0.0}],
         "key_topics": ["topic"],
         "speakers": [{"speaker_id": "Speaker 1", "key_topics": ["topic"], "sentiment": "positive|neutral|concerned",
                       "action_items": [{"text": "...", "start": 0.0, "end": 0.0}]}],
         "action_items": [{"owner": "Speaker 1", "text": "...", "start": 0.0, "end": 0.0, "due": null}],
         "decisions": [{"speaker_id": "Speaker 1", "text": "...", "start": 0.0, "end": 0.0}],
         "questions": [{"speaker_id": "Speaker 1", "text": "...", "start": 0.0, "end": 0.0}]}
        """

    static let section = """
        You summarise a section of a meeting transcript. Lines look like "[start-end] Speaker N: text".
        Answer with one JSON object and nothing else, exactly in this shape:
        \(schema)
        Use only speaker ids that appear in the transcript and the times of the lines you quote.
        "summary": the 3-5 most important points in time order. "action_items": commitments and requests
        with the speaker who made them as owner. "sentiment" is one of positive, neutral, concerned.
        """

    static let combine = """
        You are given a JSON array of summaries of consecutive sections of one meeting, each in this shape:
        \(schema)
        Merge them into one summary of the whole meeting in exactly the same shape: keep the 5 most
        important summary points in time order, merge topics and speakers, keep every action item,
        decision and open question. Answer with one JSON object and nothing else.
        """
}
