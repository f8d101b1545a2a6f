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
        setStatus(card.status, stage: card.stage, progress: card.progress, failureReason: card.failureReason)
    }
}
