extension MeetingCard {
    /// A card of the agent's merged view: same template, plus the 🏠/☁️ marker, and a
    /// link only where the server has a page to link to.
    init(local card: LocalCard) {
        id = card.id
        title = card.title
        href = card.serverURL ?? ""
        hasHref = card.serverURL != nil
        dateISO = ""
        dateText = ""
        hasDate = false
        duration = WebFormat.duration(card.duration)
        hasDuration = !duration.isEmpty
        status = card.status.rawValue
        statusLabel = Self.label(card.status)
        stageLabel = Self.stageLabel(card.stage)
        progressPercent = WebFormat.percent(card.progress * 100)
        isActive = [.queued, .uploading, .processing].contains(card.status)
        isFailed = card.status == .failed
        failureReason = card.failureReason ?? ""
        speakers = []
        hasSpeakers = false
        summary = ""
        hasSummary = false
        isPersonal = true
        workspaceName = ""
        hasWorkspace = false
        origin = card.origin.rawValue
        originMarker = card.origin.marker
        originLabel = card.origin.label
    }
}
