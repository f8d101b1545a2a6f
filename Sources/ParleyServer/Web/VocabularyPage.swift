import ParleyAPI

/// The vocabulary page: the viewer's own list, and each workspace's (editable by its admins).
struct VocabularyPage: Sendable {
    struct List: Sendable {
        /// "user", or "workspace:<id>": which list a form saves.
        var owner: String
        var label: String
        var text: String
        var count: Int
        var editable: Bool
        var updatedAt: String
        var hasUpdated: Bool

        init(owner: String, label: String, vocabulary: Vocabulary, editable: Bool) {
            self.owner = owner
            self.label = label
            text = vocabulary.terms.joined(separator: "\n")
            count = vocabulary.terms.count
            self.editable = editable
            updatedAt = vocabulary.updatedAt ?? ""
            hasUpdated = vocabulary.updatedAt != nil
        }
    }

    var chrome: PageChrome
    var lists: [List]
    var notice: String
    var hasNotice: Bool
    var error: String
    var hasError: Bool

    init(chrome: PageChrome, lists: [List], notice: String? = nil, error: String? = nil) {
        self.chrome = chrome
        self.lists = lists
        self.notice = notice ?? ""
        hasNotice = notice != nil
        self.error = error ?? ""
        hasError = error != nil
    }
}
