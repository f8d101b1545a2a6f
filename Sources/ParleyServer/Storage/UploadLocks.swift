/// One writer per upload: a second PATCH to the same upload while one runs is refused
/// rather than interleaving bytes.
actor UploadLocks {
    private var held: Set<String> = []

    func tryLock(_ id: String) -> Bool {
        held.insert(id).inserted
    }

    func unlock(_ id: String) {
        held.remove(id)
    }
}
